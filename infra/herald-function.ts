import { Duration, type RemovalPolicy } from 'aws-cdk-lib'
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam'
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda'
import {
  LogLevel,
  NodejsFunction,
  type NodejsFunctionProps,
  OutputFormat,
  SourceMapMode,
} from 'aws-cdk-lib/aws-lambda-nodejs'
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs'
import type { Construct } from 'constructs'
import { BUNDLE_OPTIONS, entryOf, type FunctionName, PROJECT_ROOT } from './bundling.js'

export interface HeraldFunctionProps
  extends Pick<NodejsFunctionProps, 'environment' | 'onFailure' | 'retryAttempts'> {
  readonly name: FunctionName
  readonly logRetention: RetentionDays
  readonly removalPolicy: RemovalPolicy
  /** @default 256 */
  readonly memorySize?: number
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration
}

/**
 * One Herald function, with what every one of them shares fixed in one place: Node 22 on arm64,
 * X-Ray tracing, source maps, a log group with retention, Powertools settings, the same esbuild
 * options as `npm run bundle`, and a role of its own that starts with nothing but its log group.
 */
export class HeraldFunction extends NodejsFunction {
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
      entry: entryOf(props.name),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}/package-lock.json`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      role,
      onFailure: props.onFailure,
      retryAttempts: props.retryAttempts,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'herald',
        POWERTOOLS_METRICS_NAMESPACE: 'Herald',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
      bundling: {
        format: BUNDLE_OPTIONS.format === 'esm' ? OutputFormat.ESM : OutputFormat.CJS,
        target: BUNDLE_OPTIONS.target,
        minify: BUNDLE_OPTIONS.minify,
        sourceMap: true,
        sourceMapMode: SourceMapMode.EXTERNAL,
        mainFields: BUNDLE_OPTIONS.mainFields,
        externalModules: BUNDLE_OPTIONS.external,
        banner: BUNDLE_OPTIONS.banner.js,
        logLevel: LogLevel.WARNING,
        esbuildArgs: { '--legal-comments': BUNDLE_OPTIONS.legalComments, '--tree-shaking': 'true' },
      },
    })
  }
}
