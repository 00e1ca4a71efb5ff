import * as v from 'valibot'
import { InvalidNotificationError } from '../shared/errors.js'
import type { EscalationRequest } from '../shared/escalation/escalation.js'
import { type DeliveryBatch, DeliveryBatchSchema } from '../shared/fan-out/delivery-batch.js'
import { stableId } from '../shared/fan-out/stable-id.js'
import { type PublishBody, parsePublishBody } from '../shared/protocol/publish-body.js'

/**
 * What a dead-letter queue message asks for: a notification to publish again, a batch to deliver
 * again, or an escalation to check again (by the function that failed it).
 */
export type DeadLetter =
  | { kind: 'notification'; body: PublishBody }
  | { kind: 'batch'; batch: DeliveryBatch }
  | { kind: 'escalation'; functionArn: string; request: EscalationRequest }

const SnsEventRecord = v.object({
  requestPayload: v.object({
    Records: v.array(
      v.object({ Sns: v.object({ MessageId: v.string(), Timestamp: v.string(), Message: v.string() }) }),
    ),
  }),
})

const EscalationRecord = v.object({
  requestContext: v.object({ functionArn: v.string() }),
  requestPayload: v.object({
    owner: v.object({ userId: v.string(), tenant: v.optional(v.string()) }),
    id: v.string(),
  }),
})

/**
 * Reads one dead-letter message, in any of the four shapes Herald's dead-letter queue receives:
 * the fan-out's Lambda on-failure record (the whole SNS event in `requestPayload`), a body SNS
 * could not hand to the fan-out, a delivery batch the workers gave up on, or the escalate
 * function's on-failure record (an e-mail that could not be sent). A notification keeps
 * the id it first had, so clients that already showed it drop the replay.
 */
export function readDeadLetter(text: string): DeadLetter[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new InvalidNotificationError('not_json', 'dead letter is not JSON')
  }
  if (v.is(SnsEventRecord, value)) {
    return value.requestPayload.Records.map(({ Sns }) => {
      const body = parsePublishBody(Sns.Message)
      return {
        kind: 'notification',
        body: { ...body, id: body.id ?? stableId(Sns.MessageId, Sns.Timestamp) },
      }
    })
  }
  if (v.is(EscalationRecord, value))
    return [
      { kind: 'escalation', functionArn: value.requestContext.functionArn, request: value.requestPayload },
    ]
  if (v.is(DeliveryBatchSchema, value)) return [{ kind: 'batch', batch: value }]
  return [{ kind: 'notification', body: parsePublishBody(value) }]
}
