// Redis mode through the binding: the official `redis` option reaches the core, reads go through a
// real redis-server in Stigg's key layout, and a bad option is a StiggConfigurationError.
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { connect, createServer } from 'node:net'
import { after, before, describe, test } from 'node:test'

import { Stigg, StiggConfigurationError } from '../index.mjs'
import { API_KEY, emulatorBinary, startEmulator } from './emulator.mjs'

const hasRedis = spawnSync('sh', ['-c', 'command -v redis-server']).status === 0
if (!hasRedis && process.env.STIGG_REQUIRE_REDIS) throw new Error('redis-server is required (STIGG_REQUIRE_REDIS)')
const skip = !emulatorBinary() ? 'stigg-emulator is not built' : !hasRedis ? 'redis-server is not installed' : false

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

/** One Redis command over RESP; resolves with the raw reply. */
function redis(port, ...args) {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1')
    let reply = ''
    sock.on('error', reject)
    sock.on('data', (d) => {
      reply += d
      if (reply.endsWith('\r\n')) sock.end()
    })
    sock.on('end', () => resolve(reply))
    sock.write(`*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(''))
  })
}

describe('redis mode', { skip }, () => {
  let emu
  let redisProc
  let port
  before(async () => {
    emu = await startEmulator()
    port = await freePort()
    redisProc = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
    const deadline = Date.now() + 10_000
    for (;;) {
      try {
        if ((await redis(port, 'PING')).startsWith('+PONG')) break
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error('redis-server did not answer')
      await new Promise((r) => setTimeout(r, 50))
    }
  })
  after(async () => {
    redisProc?.kill()
    await emu?.stop()
  })

  test('reads go through Redis in Stigg’s layout', async () => {
    const admin = Stigg.initialize({ apiKey: API_KEY, baseUri: emu.baseUri, baseEdgeUri: emu.edgeUri, realtimeUpdatesEnabled: false })
    await admin.provisionCustomer({ customerId: 'node-redis', subscriptionParams: { planId: 'plan-revvenu-pro' } })
    await admin.close()
    const stigg = Stigg.initialize({
      apiKey: API_KEY,
      baseUri: emu.baseUri,
      baseEdgeUri: emu.edgeUri,
      redis: { environmentPrefix: 'nodetest', host: '127.0.0.1', port, ttl: -1 },
    })
    const domain = await stigg.getBooleanEntitlement({ customerId: 'node-redis', featureId: 'feature-custom-domain' })
    assert.equal(domain.hasAccess, true)
    assert.equal(domain.isFallback, false)
    await stigg.close()
    assert.equal(await redis(port, 'EXISTS', 'nodetest:c_node-redis'), ':1\r\n')
    assert.equal(await redis(port, 'EXISTS', 'nodetest:c_node-redis#timestamp'), ':1\r\n')
    assert.equal(await redis(port, 'TTL', 'nodetest:c_node-redis'), ':-1\r\n')
  })

  test('a bad redis option is a configuration error', () => {
    assert.throws(
      () => Stigg.initialize({ apiKey: API_KEY, redis: { environmentPrefix: 'p', hots: 'x' } }),
      (e) => e instanceof StiggConfigurationError && /hots/.test(e.message),
    )
  })
})
