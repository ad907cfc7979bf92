// A Node.js language host for the Pulumi engine (`pulumi-language-nodejs`): serves the
// LanguageRuntime gRPC service with the stubs @pulumi/pulumi ships, and runs a program through
// @pulumi/pulumi's own runner (cmd/run), which is what `pulumi preview` / `up` / `refresh` /
// `destroy` need on a Pulumi.yaml. The Go host is a module the Go proxy here does not serve.
// Does I/O (a gRPC server on loopback, a child process per run).
//
// Not done: installing dependencies (a no-op: the project's own node_modules are used),
// TypeScript through ts-node (the program runs on Node's type stripping), plugins written in
// Node (RunPlugin), code generation, packing, templates, debugging, policy packs.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as grpcModule from '@grpc/grpc-js';
import { engineAddressOf, runnerInvocation } from './args.ts';

const require = createRequire(import.meta.url);
const sdkDir = dirname(require.resolve('@pulumi/pulumi/package.json'));
const sdkRequire = createRequire(join(sdkDir, 'package.json'));
/* eslint-disable @typescript-eslint/no-explicit-any -- the generated stubs are CommonJS without usable types here */
const grpc = sdkRequire('@grpc/grpc-js') as typeof grpcModule;
const services = sdkRequire('./proto/language_grpc_pb.js') as any;
const messages = sdkRequire('./proto/language_pb.js') as any;
const plugin = sdkRequire('./proto/plugin_pb.js') as any;
const empty = sdkRequire('google-protobuf/google/protobuf/empty_pb.js') as any;
const sdkVersion = (sdkRequire('./package.json') as { version: string }).version;

const engineAddress = engineAddressOf(process.argv.slice(2)) ?? '';

type Callback = (err: unknown, value?: unknown) => void;
type Call = { request: any };

function run(call: Call, callback: Callback): void {
  const req = call.request;
  const info = req.getInfo();
  const config: Record<string, string> = {};
  req.getConfigMap().forEach((v: string, k: string) => (config[k] = v));
  const invocation = runnerInvocation(
    {
      project: req.getProject(),
      stack: req.getStack(),
      organization: req.getOrganization(),
      pwd: req.getPwd(),
      entryPoint: info?.getEntryPoint() ?? req.getProgram() ?? '.',
      programDirectory: info?.getProgramDirectory() ?? req.getPwd(),
      rootDirectory: info?.getRootDirectory() ?? '',
      args: req.getArgsList(),
      config,
      configSecretKeys: req.getConfigsecretkeysList(),
      dryRun: req.getDryrun(),
      parallel: req.getParallel(),
      monitorAddress: req.getMonitorAddress(),
      engineAddress,
    },
    join,
  );
  const child = spawn(process.execPath, [join(sdkDir, 'cmd', 'run', 'index.js'), ...invocation.args], { env: { ...process.env, ...invocation.env }, stdio: ['ignore', 'inherit', 'inherit'] });
  const resp = new messages.RunResponse();
  child.on('error', (err) => {
    resp.setError(`Could not start the program because ${err.message}. (Hint: check that node is on PATH.)`);
    callback(null, resp);
  });
  child.on('close', (code, signal) => {
    // 32: the program failed and said why already (the runner's own convention): bail quietly.
    if (code === 32) resp.setBail(true);
    else if (code !== 0) resp.setError(`Program exited with ${signal ? `signal ${signal}` : `code ${String(code)}`}`);
    callback(null, resp);
  });
}

const handlers = {
  handshake: (_call: Call, cb: Callback) => cb(null, new messages.LanguageHandshakeResponse()),
  getRequiredPlugins: (_call: Call, cb: Callback) => cb(null, new messages.GetRequiredPluginsResponse()),
  getRequiredPackages: (_call: Call, cb: Callback) => cb(null, new messages.GetRequiredPackagesResponse()),
  run,
  getPluginInfo: (_call: Call, cb: Callback) => {
    const r = new plugin.PluginInfo();
    r.setVersion(sdkVersion);
    cb(null, r);
  },
  installDependencies: (call: { end: () => void }) => call.end(),
  runtimeOptionsPrompts: (_call: Call, cb: Callback) => cb(null, new messages.RuntimeOptionsResponse()),
  about: (_call: Call, cb: Callback) => {
    const r = new messages.AboutResponse();
    r.setExecutable(process.execPath);
    r.setVersion(process.version);
    cb(null, r);
  },
  getProgramDependencies: (_call: Call, cb: Callback) => cb(null, new messages.GetProgramDependenciesResponse()),
  cancel: (_call: Call, cb: Callback) => cb(null, new empty.Empty()),
};

const server = new grpc.Server({ 'grpc.max_receive_message_length': 400 * 1024 * 1024 });
const unimplemented = (name: string) => (call: any, cb?: Callback) => {
  const err = { code: grpc.status.UNIMPLEMENTED, details: `${name} is not implemented by this language host` };
  if (cb) cb(err);
  else call.destroy?.(err);
};
const impl: Record<string, unknown> = {};
for (const name of Object.keys(services.LanguageRuntimeService)) {
  const key = name.charAt(0).toLowerCase() + name.slice(1);
  impl[key] = (handlers as Record<string, unknown>)[key] ?? unimplemented(name);
}
server.addService(services.LanguageRuntimeService, impl as any);
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    process.stderr.write(`Could not start the language host because ${err.message}.\n`);
    process.exit(1);
  }
  // The engine reads the port from the first line of stdout.
  process.stdout.write(`${port}\n`);
});
