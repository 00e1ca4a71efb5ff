import { RemovalPolicy } from 'aws-cdk-lib'
import { AccessLogFormat, CfnAccount } from 'aws-cdk-lib/aws-apigateway'
import { LogGroupLogDestination, WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2'
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers'
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations'
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam'
import type { IFunction } from 'aws-cdk-lib/aws-lambda'
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs'
import type { Construct } from 'constructs'
import type { HeraldProps } from './herald-props.js'

export interface RouteFunctions {
  authorizer: IFunction
  connect: IFunction
  disconnect: IFunction
  message: IFunction
}

// The query string carries the token, so the access log never includes it.
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    connectionId: '$context.connectionId',
    eventType: '$context.eventType',
    routeKey: '$context.routeKey',
    status: '$context.status',
    userId: '$context.authorizer.principalId',
    sourceIp: '$context.identity.sourceIp',
    error: '$context.error.message',
    integrationError: '$context.integration.error',
  }),
)

/**
 * The WebSocket API: routing on `$request.body.type`, `$connect` behind the REQUEST authorizer on
 * the `token` query parameter, `$disconnect`, `$default`; and a throttled stage with access logs.
 */
export function heraldApi(
  scope: Construct,
  routes: RouteFunctions,
  props: HeraldProps,
  logs: { retention: RetentionDays; removalPolicy: RemovalPolicy },
): { api: WebSocketApi; stage: WebSocketStage } {
  const api = new WebSocketApi(scope, 'Api', {
    description: 'Herald real-time notifications',
    routeSelectionExpression: '$request.body.type',
    connectRouteOptions: {
      integration: new WebSocketLambdaIntegration('Connect', routes.connect),
      authorizer: new WebSocketLambdaAuthorizer('Authorizer', routes.authorizer, {
        identitySource: ['route.request.querystring.token'],
      }),
    },
    disconnectRouteOptions: { integration: new WebSocketLambdaIntegration('Disconnect', routes.disconnect) },
    defaultRouteOptions: { integration: new WebSocketLambdaIntegration('Message', routes.message) },
  })
  const accessLogs = new LogGroup(scope, 'AccessLogs', logs)
  const stage = new WebSocketStage(scope, 'Stage', {
    webSocketApi: api,
    stageName: props.stageName ?? 'prod',
    autoDeploy: true,
    detailedMetricsEnabled: true,
    throttle: { rateLimit: props.throttleRateLimit ?? 1000, burstLimit: props.throttleBurstLimit ?? 2000 },
    accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
  })
  if (props.configureApiGatewayLogging !== false) stage.node.addDependency(apiGatewayAccount(scope))
  return { api, stage }
}

/**
 * The account-level role API Gateway writes logs with (one per region, as RestApi's
 * `cloudWatchRole`), without which a WebSocket stage with logging fails to deploy.
 */
function apiGatewayAccount(scope: Construct): CfnAccount {
  const role = new Role(scope, 'ApiGatewayLoggingRole', {
    assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
    managedPolicies: [
      ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs'),
    ],
  })
  // Kept on delete: other APIs in the region may log through the same account setting.
  role.applyRemovalPolicy(RemovalPolicy.RETAIN)
  return new CfnAccount(scope, 'ApiGatewayAccount', { cloudWatchRoleArn: role.roleArn })
}
