import { describe, expect, it } from 'vitest'
import type { EventMapping } from '../../shared/integrations/event-mapping.js'
import { withLocalStack } from '../support/local-stack.js'

const mappings: EventMapping[] = [
  {
    source: 'aws.states',
    detailType: 'Step Functions Execution Status Change',
    type: 'alert',
    severity: 'high',
    title: 'Workflow {detail.status}',
    message: '{detail.name} ended {detail.status}',
    userId: '{detail.input.requestedBy}',
  },
  {
    source: 'aws.s3',
    detailType: 'Object Created',
    type: 'upload_status',
    userId: '{detail.object.owner}',
    uploadId: '{detail.object.etag}',
    filename: '{detail.object.key}',
    status: 'completed',
  },
  {
    source: 'aws.ecs',
    detailType: 'ECS Task State Change',
    type: 'system',
    severity: 'medium',
    title: 'Task stopped in {detail.clusterArn}',
    message: '{detail.stoppedReason}',
  },
]
const herald = withLocalStack({ env: { HERALD_EVENT_MAPPINGS: JSON.stringify(mappings) } })

const event = (source: string, detailType: string, detail: unknown) => ({
  version: '0',
  id: `${source}-${Math.random()}`,
  'detail-type': detailType,
  source,
  account: '123456789012',
  time: '2026-11-26T10:00:00Z',
  region: 'eu-west-1',
  resources: [],
  detail,
})

describe('EventBridge events through the declarative mappings', () => {
  it('turns a failed Step Functions execution into an alert for the user who started it', async () => {
    const [ann, bob] = await Promise.all([herald.connect('ann'), herald.connect('bob')])
    const failed = event('aws.states', 'Step Functions Execution Status Change', {
      executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:orders:run-7',
      name: 'run-7',
      status: 'FAILED',
      input: { requestedBy: 'ann' },
    })

    await herald.stack.lambda.invoke('herald-events', failed)
    await herald.stack.idle()
    await Promise.all([ann.caughtUp(), bob.caughtUp()])

    expect(ann.received('alert').map((f) => f.data)).toEqual([
      {
        severity: 'high',
        title: 'Workflow FAILED',
        message: 'run-7 ended FAILED',
        source: 'aws.states',
        metadata: { eventId: failed.id, detailType: 'Step Functions Execution Status Change' },
      },
    ])
    expect(bob.received('alert')).toEqual([])
    ann.close()
    bob.close()
  })

  it('turns an S3 upload into upload status and a stopped ECS task into a system notice', async () => {
    const cy = await herald.connect('cy')

    await herald.stack.lambda.invoke(
      'herald-events',
      event('aws.s3', 'Object Created', {
        bucket: { name: 'uploads' },
        object: { key: 'cy/q3.csv', etag: 'e7', owner: 'cy' },
      }),
    )
    await herald.stack.lambda.invoke(
      'herald-events',
      event('aws.ecs', 'ECS Task State Change', {
        clusterArn: 'prod',
        stoppedReason: 'Essential container exited',
      }),
    )
    await herald.stack.lambda.invoke(
      'herald-events',
      event('aws.ec2', 'EC2 Instance State-change Notification', { state: 'stopped' }),
    )
    await herald.stack.idle()
    await cy.caughtUp()

    expect(cy.received('upload_status').map((f) => f.data)).toEqual([
      { upload_id: 'e7', filename: 'cy/q3.csv', status: 'completed', progress: 100 },
    ])
    expect(cy.received('system').map((f) => f.data)).toEqual([
      { title: 'Task stopped in prod', message: 'Essential container exited', severity: 'medium' },
    ])
    expect(cy.frames).toHaveLength(3)
    cy.close()
  })
})
