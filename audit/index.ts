// The auditor's replay: read a case's log (Kafka or the read models' archive), verify its chain as stored,
// replay it into a timeline or the state at a moment, compare it with the workflow, export a dossier.
export { decodeRecord, describeLocation, type RecordLocation, type StoredRecord } from './records.js';
export { LogVerifier, verifyEvents, type AuditFault, type CaseVerification, type LogVerdict } from './verify.js';
export {
  clockChanges,
  clocksAt,
  loadCase,
  stateAsOf,
  timeline,
  type ClockAt,
  type ClockChange,
  type ClockChangeKind,
  type LoadedCase,
  type StateAsOf,
  type TimelineEntry,
} from './replay.js';
export { compareWithWorkflow, diff, type Comparison, type Difference } from './compare.js';
export { exportDossier, type Dossier } from './dossier.js';
export {
  describeSource,
  readCaseEvents,
  SourceError,
  verifyLog,
  type ArchiveSource,
  type EventSource,
  type KafkaSource,
  type LogVerification,
  type ScanProgress,
} from './source.js';
export { partitionForKey } from './kafka.js';
