import { specOf, type Trigger } from '../functions/manifest.js'

// Values only the local stack uses. None of them is a secret: local tokens prove nothing outside
// this machine, and a deployed stack never reads them.
export const LOCAL_REGION = 'us-east-1'
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const
export const LOCAL_JWT_SECRET = 'herald-local-development-secret-do-not-deploy'
export const LOCAL_TOPIC_ARN = `arn:aws:sns:${LOCAL_REGION}:000000000000:herald-local`
/** Where `npm start` writes its endpoints (docs/architecture.md, The local stack), relative to the working directory. */
export const LOCAL_CONFIG_FILE = '.herald/local.json'
/** The alarm name `npm run smoke` sends as CloudWatch would; the local stack routes it to the smoke user. */
export const LOCAL_SMOKE_ALARM = 'herald-local-smoke'
/** Where the local Secrets Manager keeps the VAPID private key the push function signs with. */
export const LOCAL_VAPID_SECRET_ARN = `arn:aws:secretsmanager:${LOCAL_REGION}:000000000000:secret:herald-local-vapid`
/** The contact the local stack's pushes name (RFC 8292 asks for one). */
export const LOCAL_VAPID_SUBJECT = 'mailto:herald@localhost'
/** Where the local Secrets Manager keeps the key local tokens are signed with. */
export const LOCAL_TOKEN_SECRET_ARN = `arn:aws:secretsmanager:${LOCAL_REGION}:000000000000:secret:herald-local-token`
/** The schedule group the local fan-out's escalations wait in, and the role they run as. */
export const LOCAL_ESCALATION_GROUP = 'herald-local-escalations'
export const LOCAL_SCHEDULER_ROLE_ARN = 'arn:aws:iam::000000000000:role/herald-local-scheduler'
/** The address the local SES twin has verified; escalations come from it. */
export const LOCAL_EMAIL_FROM = 'herald@herald.localhost'
/** A function's name in the local Lambda, from its entry: `herald-fanout`. */
export const localFunctionName = (entry: string): string => `herald-${entry}`

/** The local name of the function the manifest says `trigger` invokes. */
export const localFunctionOf = (trigger: Trigger): string => localFunctionName(specOf(trigger).entry)

/**
 * npm start runs every function in worker threads, each thread one Lambda instance, started when
 * all the others are busy, up to the function's concurrency (`reservedConcurrency` in the manifest,
 * else the account's): on Lambda every function scales out, and here the fan-out's signed posts and
 * the handshake's functions then use the second core too (bench/README.md, Where the time goes).
 * Tests run functions on the main thread, which starts faster, unless they ask for these threads.
 */
export const NPM_START_THREADS = true
