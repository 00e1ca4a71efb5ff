import { App } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import { beforeAll } from 'vitest'
import { HeraldStack } from '../../infra/herald-stack.js'

export type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>

export interface SynthesizedStack {
  stack: HeraldStack
  template: Template
  resources: Resources
  /** The logical id CloudFormation knows a construct's resource by. */
  logicalIdOf(construct: { node: { defaultChild?: unknown } } | { node: { id: string } }): string
}

/** The deployable stack, synthesized once for the test file, in a fixed account and region. */
export function synthesizedStack(): SynthesizedStack {
  const fixture = {} as SynthesizedStack
  beforeAll(() => {
    const app = new App()
    fixture.stack = new HeraldStack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } })
    fixture.template = Template.fromStack(fixture.stack)
    fixture.resources = fixture.template.toJSON().Resources as Resources
    fixture.logicalIdOf = (construct) =>
      fixture.stack.getLogicalId((construct as { node: { defaultChild: never } }).node.defaultChild)
  })
  return fixture
}
