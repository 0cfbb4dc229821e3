export { createConsole } from './createConsole.ts';
export type { ConsoleOptions } from './ConsoleOptions.ts';
export type { ConsoleEnv } from './ConsoleEnv.ts';
export type { ConsoleRole, ConsoleToken, ConsoleUser } from './auth/ConsoleToken.ts';
export { serveConsole, type ServedConsole } from './serveConsole.ts';
export { fingerprintOf, firstUserFrame, type Fingerprint, type StackFrame } from './failures/fingerprint.ts';
export { groupFailures, type FailureGroup } from './failures/groupFailures.ts';
export { ConsoleMetrics } from './metrics/collectMetrics.ts';
export {
  serviceMetrics,
  type MeteredService,
  type ServiceMetrics,
  type ServiceMetricsOptions,
} from './metrics/serviceMetrics.ts';
export { timeline, type TimelineLine } from './workflows/runTimeline.ts';
export { formatJsonDiff, lineDiff, prettyJson } from './failures/lineDiff.ts';
