// The events of a case: schemas and types, canonical JSON, the SHA-256 hash chain, upcasting and
// personal-data handling. Pure: no I/O, no clock, no Node built-ins — it runs in the workflow sandbox.
export { z } from './zod.js';
export * from './vocabulary.js';
export * from './schemas.js';
export { canonicalJson, CanonicalJsonError } from './canonical-json.js';
export * from './limits.js';
export { sha256Hex, sha256Bytes, utf8Bytes, toHex } from './sha256.js';
export {
  hashEvent,
  sealEvent,
  sealEvents,
  verifyChain,
  type ChainFault,
  type ChainFaultKind,
  type ChainVerdict,
} from './chain.js';
export { parseEvent } from './parse.js';
export { EventParseError } from './errors.js';
export { upcasters, upcastData, type Upcaster } from './upcasters.js';
export {
  PersonalValue,
  CommittedValue,
  EncryptedValue,
  isEncryptedValue,
  plainValueOf,
  personalText,
  isPersonalTextSchema,
  textSchemaOf,
  mapPersonalText,
  personalTextPaths,
  textSubjectOf,
  mapPersonalValues,
  personalValue,
  commitmentOf,
  erasePersonalData,
  redact,
  isPersonalValue,
  findPersonalValues,
  LEGACY_SALT,
} from './personal-data.js';
