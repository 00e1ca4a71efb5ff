import { Duration, type RemovalPolicy } from 'aws-cdk-lib'
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam'
import {
  Architecture,
  type FunctionProps,
  Function as LambdaFunction,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda'
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs'
import type { Construct } from 'constructs'
import { DEFAULTS } from '../shared/defaults.js'
import { functionCode } from './function-code.js'

export interface HeraldFunctionProps
  extends Pick<
    FunctionProps,
    'environment' | 'onFailure' | 'retryAttempts' | 'reservedConcurrentExecutions'
  > {
  /** The manifest entry: its bundle is `<entry>/index.mjs`. */
  readonly name: string
  readonly logRetention: RetentionDays
  readonly removalPolicy: RemovalPolicy
  /** @default 256 */
  readonly memorySize?: number
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration
}

/**
 * One Herald function, with what every one of them shares fixed in one place: Node 22 on arm64,
 * X-Ray tracing, source maps, a log group with retention, Powertools settings, the prebuilt
 * bundle (`functionCode`), and a role of its own that starts with nothing but its log group.
 */
export class HeraldFunction extends LambdaFunction {
  constructor(scope: Construct, id: string, props: HeraldFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    })
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Herald ${props.name} function`,
    })
    role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${logGroup.logGroupArn}`],
      }),
    )
    super(scope, id, {
      code: functionCode(props.name),
      handler: 'index.handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? DEFAULTS.memorySize,
      timeout: props.timeout ?? Duration.seconds(DEFAULTS.timeoutSeconds),
      tracing: Tracing.ACTIVE,
      logGroup,
      role,
      onFailure: props.onFailure,
      retryAttempts: props.retryAttempts,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'herald',
        POWERTOOLS_METRICS_NAMESPACE: 'Herald',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
    })
  }
}
