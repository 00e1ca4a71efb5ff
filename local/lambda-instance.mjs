// The host thread of one function's instances: loads its module once and makes each instance with
// `fromEnvironment(env, aws)`, so every instance has its own handler state, as on Lambda. The AWS
// clients (and their connection pools) are the thread's. Plain JavaScript, because it must register
// the TypeScript loader before importing anything.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'
import { serveInvocations } from './instance-loop.mjs'

register()
const functionModule = await import(workerData.module)
const { awsClients } = await import(workerData.clientsModule)
const aws = awsClients(workerData.settings)
serveInvocations(() => functionModule.fromEnvironment(workerData.env, aws))
