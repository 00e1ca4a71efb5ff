import {
  FUNCTION_SPECS,
  type FunctionSpec,
  type GrantTarget,
  type HeraldFunctionName,
} from '../functions/manifest.js'
import { LOCAL_REGION } from './defaults.js'

const ACCOUNT = '000000000000'

/** Local ARNs, shaped as AWS's, so grants and calls compare as they would there. */
export const localArn = {
  table: (name: string) => `arn:aws:dynamodb:${LOCAL_REGION}:${ACCOUNT}:table/${name}`,
  queue: (url: string) => `arn:aws:sqs:${LOCAL_REGION}:${ACCOUNT}:${url.split('/').at(-1)}`,
  function: (name: string) => `arn:aws:lambda:${LOCAL_REGION}:${ACCOUNT}:function:${name}`,
  /** Every schedule in a group, as the construct grants them. */
  schedules: (group: string) => `arn:aws:scheduler:${LOCAL_REGION}:${ACCOUNT}:schedule/${group}/*`,
  emailIdentity: (identity: string) => `arn:aws:ses:${LOCAL_REGION}:${ACCOUNT}:identity/${identity}`,
  /** A Management API call: `{api}/{stage}/{verb}/@connections/{id}`. */
  connection: (verb: string, connectionId: string) =>
    `arn:aws:execute-api:${LOCAL_REGION}:${ACCOUNT}:local/local/${verb}/@connections/${connectionId}`,
}

/** Why AWS refuses a call: not signed at all, or signed by a role that does not grant it. */
export interface Denial {
  type: 'MissingAuthenticationTokenException' | 'AccessDeniedException'
  message: string
}

/** Decides a call: `undefined` when allowed, else what AWS answers. */
export type Guard = (
  authorization: string | undefined,
  action: string,
  resource: string,
) => Denial | undefined

/** The access key a SigV4 `Authorization` header was signed with, or none for an unsigned call. */
export function accessKeyIdOf(authorization: string | undefined): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1]
}

/** Each function signs with keys of its own, so the twin knows whose role a call runs under. */
export function credentialsOf(entry: string) {
  return { accessKeyId: `HERALD${entry.replace(/-/g, '').toUpperCase()}`, secretAccessKey: 'local' }
}

interface Statement {
  actions: readonly RegExp[]
  resources: readonly RegExp[]
}

const pattern = (glob: string) =>
  new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i')

/** What a function's role allows, from its manifest entry: the same grants the CDK construct makes. */
function statementsOf(spec: FunctionSpec, arns: Record<GrantTarget, string>): Statement[] {
  const granted: [readonly string[], string[]][] = Object.entries(spec.grants ?? {}).map(
    ([target, actions]) => [actions, [arns[target as GrantTarget]]],
  )
  if (spec.connectionVerbs)
    granted.push([
      ['execute-api:ManageConnections'],
      spec.connectionVerbs.map((verb) => localArn.connection(verb, '*')),
    ])
  // Compiled once: every call a function makes is checked.
  return granted.map(([actions, resources]) => ({
    actions: actions.map(pattern),
    resources: resources.map(pattern),
  }))
}

/**
 * The twin of IAM for Herald's functions: every call a function makes through the twin is
 * checked, action and resource, against its role. Calls signed with any other key are the
 * operator's (the CLI, tests, publishers) and are allowed, as an administrator's would be.
 *
 * @param arns where each grant target is locally
 * @param specs the functions' manifest entries; a test may pass one with a grant removed
 */
export function localIam(
  arns: Record<GrantTarget, string>,
  specs: readonly (readonly [HeraldFunctionName, FunctionSpec])[] = FUNCTION_SPECS,
): Guard {
  const roles = new Map(
    specs.map(([, spec]) => [
      credentialsOf(spec.entry).accessKeyId,
      { entry: spec.entry, statements: statementsOf(spec, arns) },
    ]),
  )
  return (authorization, action, resource) => {
    const accessKeyId = accessKeyIdOf(authorization)
    // AWS serves no unsigned request: every client, the CLI's and boto3's included, signs with SigV4.
    if (!accessKeyId)
      return { type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' }
    const role = roles.get(accessKeyId)
    if (!role) return undefined
    const allowed = role.statements.some(
      (statement) =>
        statement.actions.some((granted) => granted.test(action)) &&
        statement.resources.some((granted) => granted.test(resource)),
    )
    if (allowed) return undefined
    const principal = `arn:aws:sts::${ACCOUNT}:assumed-role/herald-${role.entry}/herald-${role.entry}`
    return {
      type: 'AccessDeniedException',
      message: `User: ${principal} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
    }
  }
}
