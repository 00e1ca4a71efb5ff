import { RemovalPolicy } from 'aws-cdk-lib'
import { AccessLogFormat, CfnAccount } from 'aws-cdk-lib/aws-apigateway'
import {
  CfnIntegration,
  CfnIntegrationResponse,
  CfnRoute,
  CfnRouteResponse,
  type CfnStage,
  LogGroupLogDestination,
  WebSocketApi,
  WebSocketStage,
} from 'aws-cdk-lib/aws-apigatewayv2'
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers'
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations'
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam'
import type { IFunction } from 'aws-cdk-lib/aws-lambda'
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs'
import type { Construct } from 'constructs'
import { type ApiRoute, functionOf, type HeraldFunctionName } from '../functions/manifest.js'
import { ACCESS_LOG_FIELDS, MOCK_ROUTES, STAGE_THROTTLE } from '../shared/protocol/gateway-routes.js'
import type { HeraldProps } from './herald-props.js'

const ACCESS_LOG_FORMAT = AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS))

/**
 * The WebSocket API: routing on `$request.body.type`, `$connect` behind the REQUEST authorizer on
 * the `token` query parameter, `$disconnect`, `$default`; and a throttled stage with access logs.
 */
export function heraldApi(
  scope: Construct,
  functions: Record<HeraldFunctionName, IFunction>,
  props: HeraldProps,
  logs: { retention: RetentionDays; removalPolicy: RemovalPolicy },
): { api: WebSocketApi; stage: WebSocketStage } {
  // Which function serves each route is the manifest's to say.
  const serving = (route: ApiRoute): IFunction => functions[functionOf(route)]
  const api = new WebSocketApi(scope, 'Api', {
    description: 'Herald real-time notifications',
    routeSelectionExpression: '$request.body.type',
    connectRouteOptions: {
      integration: new WebSocketLambdaIntegration('Connect', serving('$connect')),
      authorizer: new WebSocketLambdaAuthorizer('Authorizer', serving('authorizer'), {
        identitySource: ['route.request.querystring.token'],
      }),
    },
    disconnectRouteOptions: {
      integration: new WebSocketLambdaIntegration('Disconnect', serving('$disconnect')),
    },
    defaultRouteOptions: { integration: new WebSocketLambdaIntegration('Message', serving('$default')) },
  })
  const accessLogs = new LogGroup(scope, 'AccessLogs', logs)
  const stage = new WebSocketStage(scope, 'Stage', {
    webSocketApi: api,
    stageName: props.stageName ?? 'prod',
    autoDeploy: true,
    detailedMetricsEnabled: true,
    throttle: {
      rateLimit: props.throttleRateLimit ?? STAGE_THROTTLE.rateLimit,
      burstLimit: props.throttleBurstLimit ?? STAGE_THROTTLE.burstLimit,
    },
    accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
  })
  if (props.configureApiGatewayLogging !== false) stage.node.addDependency(apiGatewayAccount(scope))
  mockRoutes(scope, api, stage)
  return { api, stage }
}

/** The construct id of a MOCK route (`PingRoute`). */
export const mockRouteId = (routeKey: string): string =>
  `${routeKey[0]?.toUpperCase()}${routeKey.slice(1)}Route`

/**
 * The routes API Gateway answers itself (`MOCK_ROUTES`): a MOCK integration each, a route response
 * where the route answers, and the route's own throttling on the stage.
 */
function mockRoutes(scope: Construct, api: WebSocketApi, stage: WebSocketStage): void {
  const settings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {}
  for (const [routeKey, route] of Object.entries(MOCK_ROUTES)) {
    const id = mockRouteId(routeKey)
    const integration = new CfnIntegration(scope, `${id}Integration`, {
      apiId: api.apiId,
      integrationType: 'MOCK',
      templateSelectionExpression: '\\$default',
      requestTemplates: { $default: '{"statusCode": 200}' },
    })
    const answer = 'response' in route ? route.response : undefined
    const cfnRoute = new CfnRoute(scope, id, {
      apiId: api.apiId,
      routeKey,
      target: `integrations/${integration.ref}`,
      ...(answer ? { routeResponseSelectionExpression: '$default' } : {}),
    })
    if (answer) {
      new CfnIntegrationResponse(scope, `${id}IntegrationResponse`, {
        apiId: api.apiId,
        integrationId: integration.ref,
        integrationResponseKey: '$default',
        templateSelectionExpression: '\\$default',
        responseTemplates: { $default: answer },
      })
      new CfnRouteResponse(scope, `${id}RouteResponse`, {
        apiId: api.apiId,
        routeId: cfnRoute.ref,
        routeResponseKey: '$default',
      })
    }
    stage.node.addDependency(cfnRoute)
    settings[routeKey] = {
      ThrottlingRateLimit: route.throttle.rateLimit,
      ThrottlingBurstLimit: route.throttle.burstLimit,
    }
  }
  ;(stage.node.defaultChild as CfnStage).addPropertyOverride('RouteSettings', settings)
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
