// Runs the stigg-emulator (crate emulator/) as a subprocess on free loopback ports for the e2e,
// parity and benchmark scripts. Binary: $STIGG_EMULATOR, else $CARGO_TARGET_DIR/debug/stigg-emulator,
// else <repo>/target/debug/stigg-emulator (build it with `cargo build -p stigg-emulator`).
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const API_KEY = 'server-emulator-key'
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

export function emulatorBinary() {
  const candidates = [
    process.env.STIGG_EMULATOR,
    process.env.CARGO_TARGET_DIR && join(process.env.CARGO_TARGET_DIR, 'debug', 'stigg-emulator'),
    join(repo, 'target', 'debug', 'stigg-emulator'),
  ].filter(Boolean)
  return candidates.find((p) => existsSync(p))
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** Starts an emulator; resolves when it answers. `stop()` ends it. */
export async function startEmulator() {
  const binary = emulatorBinary()
  if (!binary) throw new Error('stigg-emulator not built (cargo build -p stigg-emulator)')
  const port = await freePort()
  const edgePort = await freePort()
  const proc = spawn(binary, ['--port', String(port), '--edge-port', String(edgePort)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const baseUri = `http://127.0.0.1:${port}`
  const emu = {
    proc,
    port,
    edgePort,
    baseUri,
    edgeUri: `http://127.0.0.1:${edgePort}`,
    async admin(path, body) {
      const res = await fetch(`${baseUri}/_emulator/${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      return res.json()
    },
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM')
        await new Promise((r) => proc.once('exit', r))
      }
    },
  }
  const deadline = Date.now() + 20_000
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`stigg-emulator exited with ${proc.exitCode}`)
    try {
      const res = await fetch(`${baseUri}/_emulator/health`)
      if (res.ok) return emu
    } catch {}
    if (Date.now() > deadline) {
      await emu.stop()
      throw new Error('stigg-emulator did not answer within 20 s')
    }
    await sleep(50)
  }
}

/** Waits until `check()` is truthy (polling), or fails after `ms`. */
export async function eventually(check, ms = 5000, what = 'condition') {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await check()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}
