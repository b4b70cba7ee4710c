'use strict'
// Loads the native addon: the platform package `@stigg/native-<platform>-<arch>[-gnu|-musl|-msvc]` when
// installed, else the `.node` file beside this one (a local build, or a package that bundles it).

const { existsSync, readFileSync } = require('node:fs')
const { join } = require('node:path')

function isMusl() {
  if (process.platform !== 'linux') return false
  try {
    return readFileSync('/usr/bin/ldd', 'latin1').includes('musl')
  } catch {
    const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null
    return !report?.header?.glibcVersionRuntime
  }
}

const parts = [process.platform, process.arch]
if (process.platform === 'linux') parts.push(isMusl() ? 'musl' : 'gnu')
else if (process.platform === 'win32') parts.push('msvc')
const triple = parts.join('-')

const local = join(__dirname, `stigg-native.${triple}.node`)
if (existsSync(local)) {
  module.exports = require(local)
} else {
  try {
    module.exports = require(`@stigg/native-${triple}`)
  } catch (e) {
    throw new Error(
      `@stigg/native: no native binary for ${triple} (looked for ${local} and @stigg/native-${triple}): ${e.message}`,
    )
  }
}
