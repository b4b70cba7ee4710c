const Module = require('module');
const origLoad = Module._load;
Module._load = function (req, parent, isMain) {
  if (req === 'graphql-tag') { const tag = (strings, ...vals) => { let s = ''; strings.forEach((x, i) => { s += x; if (i < vals.length) s += '\n' + vals[i].__text + '\n'; }); return { __text: s }; }; return { default: tag, __esModule: true }; }
  if (req.startsWith('graphql-request')) return {};
  return origLoad(req, parent, isMain);
};
const sdk = require(process.argv[2]);
const out = {};
for (const [k, v] of Object.entries(sdk)) if (k.endsWith('Document') && v && v.__text) out[k.replace(/Document$/, '')] = v.__text;
console.log(JSON.stringify(out));
