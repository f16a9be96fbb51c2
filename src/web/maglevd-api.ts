// The dashboard's view of one maglevd: the RPCs it uses of the one gRPC client (src/api), as a
// seam so scopes and watch connections can also run against fakes.

import type { MaglevClient } from '../api/maglev-client.js';

export type MaglevdApi = Pick<
  MaglevClient,
  | 'listFrontends'
  | 'getFrontend'
  | 'listBackends'
  | 'getBackend'
  | 'listHealthChecks'
  | 'getHealthCheck'
  | 'getVppInfo'
  | 'getVppLbState'
  | 'backendAction'
  | 'setFrontendPoolBackendWeight'
  | 'previewChange'
  | 'getVppLbDigest'
  | 'watchEvents'
  | 'close'
>;
