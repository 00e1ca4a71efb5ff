// `herald/cdk`: the construct and its props, for a CDK app of your own. It deploys the prebuilt
// function bundles shipped beside it (dist/functions), so the app needs no esbuild.

export type { AlarmRules } from '../shared/integrations/cloudwatch-alarm.js'
export type { EventMapping } from '../shared/integrations/event-mapping.js'
export { Herald, type HeraldAuth, type HeraldProps } from './herald.js'
