// ESM entry of @stigg/native: the CommonJS module's exports, with `Stigg` as the default export.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const m = require('./index.js')

export const {
  Stigg,
  StiggError,
  StiggConfigurationError,
  StiggArgumentError,
  StiggApiError,
  StiggTimeoutError,
  StiggNetworkError,
  StiggClientClosedError,
  AccessDeniedReason,
} = m
export default m.Stigg
