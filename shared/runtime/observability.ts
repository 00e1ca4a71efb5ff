import { Logger } from '@aws-lambda-powertools/logger'
import { Metrics } from '@aws-lambda-powertools/metrics'

// One logger and one metrics buffer per function instance, as Powertools intends. Nothing logged
// anywhere in Herald includes a query string: that is where tokens travel.
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'herald' })
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Herald',
  serviceName: 'herald',
})
