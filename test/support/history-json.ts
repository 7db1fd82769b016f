// Workflow histories to and from the JSON of `temporal workflow show --output json`.
//
// @temporalio/common's historyToJSON / historyFromJSON fail in this install ("type must be a Type"): npm could
// not hoist protobufjs 8 (grpc's proto-loader keeps 7 at the top), so @temporalio/common and
// @temporalio/proto each got their own copy, and protojson's instanceof check in common's copy rejects the
// types of proto's copy. This is the same conversion done with @temporalio/proto's own copy. (Worker's
// replay calls historyFromJSON itself for a history whose event ids are strings, so hand it the decoded
// History, not the JSON.)
import { createRequire } from 'node:module';
import type { History } from '@temporalio/common/lib/proto-utils.js';

const require = createRequire(import.meta.url);
const protoPath = require.resolve('@temporalio/proto');
const proto = require(protoPath) as { temporal: { api: { history: { v1: { History: { fromObject(o: unknown): unknown } } } } } };
const { patchProtobufRoot } = require('@temporalio/proto/lib/patch-protobuf-root') as { patchProtobufRoot<T>(root: T): T & { lookupType(name: string): unknown } };
const { toJson, fromJson } = createRequire(protoPath)('protobufjs/ext/protojson') as {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
};
const historyType = patchProtobufRoot(proto).lookupType('temporal.api.history.v1.History');

export function historyToJSON(history: History): string {
  return JSON.stringify(toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)), null, 2);
}

export function historyFromJSON(json: unknown): History {
  const history = fromJson(historyType, json, { ignoreUnknownFields: true }) as History | null;
  if (!history?.events?.length) throw new TypeError('not a workflow history (no events)');
  return history;
}
