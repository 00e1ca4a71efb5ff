import type { HeraldFunctionName } from './herald-function-names.js'

/** A Management API verb; on AWS each is its own IAM resource (`{stage}/{verb}/@connections/*`). */
export type ConnectionVerb = 'POST' | 'GET' | 'DELETE'

/**
 * The Management API verbs each function calls. `message` closes abusive connections with
 * DELETE; everything that delivers POSTs. Nothing here GETs.
 */
export const CONNECTION_VERBS: Partial<Record<HeraldFunctionName, readonly ConnectionVerb[]>> = {
  welcome: ['POST'],
  message: ['POST', 'DELETE'],
  fanout: ['POST'],
  deliver: ['POST'],
  ingestLogs: ['POST'],
  events: ['POST'],
}
