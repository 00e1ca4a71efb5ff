import { createPublisher, type Published, type Publisher } from './publisher.js'

export {
  createPublisher,
  type Published,
  type Publisher,
  type PublisherOptions,
  type Recipients,
  type UserId,
} from './publisher.js'

// Module-level functions for code ported from the seed, which called them without a client:
// the first call builds a publisher from the environment (HERALD_TOPIC_ARN, HERALD_TENANT, AWS_REGION).
let ambient: Publisher | undefined
const publisher = (): Publisher => {
  ambient ??= createPublisher()
  return ambient
}

type Args<K extends keyof Publisher> = Parameters<Publisher[K]>

export const sendAlertNotification = (...args: Args<'sendAlertNotification'>): Promise<Published> =>
  publisher().sendAlertNotification(...args)
export const sendLogStream = (...args: Args<'sendLogStream'>): Promise<Published> =>
  publisher().sendLogStream(...args)
export const sendSystemNotification = (...args: Args<'sendSystemNotification'>): Promise<Published> =>
  publisher().sendSystemNotification(...args)
export const sendUploadStatus = (...args: Args<'sendUploadStatus'>): Promise<Published> =>
  publisher().sendUploadStatus(...args)
export const notifyLogIngested = (...args: Args<'notifyLogIngested'>): Promise<Published[]> =>
  publisher().notifyLogIngested(...args)
