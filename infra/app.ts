import { App, Validations } from 'aws-cdk-lib'
import { AwsSolutionsChecks } from 'cdk-nag'
import { type HeraldContext, HeraldStack } from './herald-stack.js'

const app = new App()
const keys = Object.keys(app.node.getAllContext()).filter((key) => key.startsWith('herald:'))
const context = Object.fromEntries(keys.map((key) => [key, app.node.tryGetContext(key)])) as HeraldContext
new HeraldStack(app, app.node.tryGetContext('herald:stackName') ?? 'Herald', { context })
// Any AwsSolutions finding not acknowledged in nag-suppressions.ts stops synthesis.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }))
