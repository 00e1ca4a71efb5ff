/** The construct's names for Herald's nine functions (`herald.functions.<name>`). */
export type HeraldFunctionName =
  | 'authorizer'
  | 'connect'
  | 'welcome'
  | 'disconnect'
  | 'message'
  | 'fanout'
  | 'deliver'
  | 'ingestLogs'
  | 'events'
