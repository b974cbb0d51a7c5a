// Validates the Kubernetes manifests (deploy/k8s/*.yaml) without a cluster:
//  1. YAML: every document parses, with no duplicate key (a missing `---` merges two documents);
//  2. schema: each object against the Kubernetes OpenAPI schema of its kind (kubernetes-models:
//     types, required fields, enums, formats);
//  3. strict: no field the API does not know (the types of @kubernetes/client-node), which the
//     schema check lets through and `kubectl apply` would drop or refuse;
//  4. the house rules of docs/deploy.md: no Secret in the files, probes, resources, a non-root
//     security context on every container, a PodDisruptionBudget per workload, an HPA for the
//     gateway and intake, NetworkPolicies with a default deny; every service's CURVE key and peers
//     folder mounted, intake's idempotency secret and notify's delivery-id key given.
// Prints one line per object and "N passed, M failed"; exits 1 when anything failed.
//   cd tests/k8s && npm ci && node validate.mjs [FILES...]
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import * as k8s from "@kubernetes/client-node";

const top = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const files = process.argv.length > 2 ? process.argv.slice(2)
  : readdirSync(join(top, "deploy", "k8s")).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(top, "deploy", "k8s", f));

let passed = 0;
let failed = 0;
const objects = [];

function report(name, problems) {
  if (problems.length === 0) {
    passed++;
    console.log(`ok    ${name}`);
  } else {
    failed++;
    console.log(`FAIL  ${name}\n      ${problems.join("\n      ")}`);
  }
}

// 3. Unknown fields, by walking the object along the client's type map.
const SCALARS = new Set(["string", "number", "boolean", "Date", "any", "object", "IntOrString"]);
function unknownFields(value, type, path, out) {
  if (value === null || value === undefined || SCALARS.has(type)) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, array[1], `${path}[${i}]`, out));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    for (const [k, v] of Object.entries(value)) unknownFields(v, map[1], `${path}.${k}`, out);
    return;
  }
  const model = k8s[type];
  if (typeof model?.getAttributeTypeMap !== "function" || typeof value !== "object") return;
  const attributes = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value)) {
    if (!attributes.has(k)) out.push(`${path}.${k}: unknown field of ${type}`);
    else unknownFields(v, attributes.get(k), `${path}.${k}`, out);
  }
}

async function schemaModel(apiVersion, kind) {
  try {
    return (await import(`kubernetes-models/${apiVersion}/${kind}`))[kind];
  } catch {
    return undefined;
  }
}

for (const file of files) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"), { uniqueKeys: true, strict: true });
  for (const [i, doc] of docs.entries()) {
    const where = `${file.replace(`${top}/`, "")} document ${i + 1}`;
    const problems = [...doc.errors, ...doc.warnings].map((e) => e.message.split("\n")[0]);
    const obj = doc.toJS();
    if (obj === null) continue;                              // a comment-only document
    const name = `${where}: ${obj.kind}/${obj.metadata?.name}`;
    const Model = await schemaModel(obj.apiVersion, obj.kind);
    if (!Model) {
      problems.push(`no schema for ${obj.apiVersion} ${obj.kind}`);
    } else {
      try {
        new Model(obj).validate();
      } catch (e) {
        problems.push(`schema: ${e.message}`);
      }
    }
    const group = obj.apiVersion.includes("/") ? obj.apiVersion.split("/")[0].split(".")[0] : "";
    const version = obj.apiVersion.split("/").pop();
    const typeName = `${version[0].toUpperCase()}${version.slice(1)}${obj.kind}`;
    const clientType = k8s[typeName] ? typeName
      : k8s[`${group[0]?.toUpperCase() ?? ""}${group.slice(1)}${typeName}`] ? `${group[0].toUpperCase()}${group.slice(1)}${typeName}` : null;
    if (clientType) unknownFields(obj, clientType, obj.kind, problems);
    else problems.push(`no client type for ${obj.apiVersion} ${obj.kind} (strict check)`);
    objects.push(obj);
    report(name, problems);
  }
}

// 4. House rules across the objects.
const byKind = (kind) => objects.filter((o) => o.kind === kind);
const workloads = [...byKind("Deployment"), ...byKind("StatefulSet")];
const rules = [];
for (const s of byKind("Secret")) {
  rules.push(`Secret/${s.metadata.name} is in the manifests: make Secrets outside them (docs/deploy.md)`);
}
for (const w of workloads) {
  const pod = w.spec.template.spec;
  const app = w.spec.template.metadata?.labels?.app;
  if (!pod.securityContext?.runAsNonRoot) rules.push(`${w.kind}/${w.metadata.name}: pod without runAsNonRoot`);
  for (const c of pod.containers) {
    const where = `${w.kind}/${w.metadata.name} container ${c.name}`;
    for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
      if (!c[probe]) rules.push(`${where}: no ${probe}`);
    }
    if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.memory) {
      rules.push(`${where}: needs cpu and memory requests and a memory limit`);
    }
    const sc = c.securityContext ?? {};
    if (sc.allowPrivilegeEscalation !== false || !sc.readOnlyRootFilesystem || !sc.capabilities?.drop?.includes("ALL")) {
      rules.push(`${where}: securityContext must drop ALL, forbid privilege escalation, read-only root`);
    }
    const fixed = (c.env ?? []).filter((e) => /URL|PASSWORD|SECRET|KEY/.test(e.name) && e.value !== undefined
      && /:\/\/[^/]*@|password/i.test(e.value));
    for (const e of fixed) rules.push(`${where}: ${e.name} holds a credential in the manifest`);
  }
  // main's keys and secrets: every service has its CURVE key beside the peers folder of the
  // ConfigMap, intake its idempotency secret, notify its delivery-id key, and every mount a volume.
  const config = byKind("ConfigMap").find((m) => m.metadata.name === "aduan-config");
  for (const c of pod.containers) {
    const where = `${w.kind}/${w.metadata.name} container ${c.name}`;
    const env = new Map((c.env ?? []).map((e) => [e.name, e]));
    const usesConfig = (c.envFrom ?? []).some((f) => f.configMapRef?.name === "aduan-config");
    if (!usesConfig || !config?.data?.ADUAN_CURVE_PEERS) rules.push(`${where}: no ADUAN_CURVE_PEERS (aduan-config)`);
    const mounted = (path) => (c.volumeMounts ?? []).some((m) => path.startsWith(`${m.mountPath}/`));
    const needs = { ADUAN_CURVE_SECRET: true, ADUAN_IDEMPOTENCY_SECRET: app === "intake", ADUAN_DELIVERY_ID_KEY: app === "notify" };
    for (const [name, needed] of Object.entries(needs)) {
      const e = env.get(name);
      if (!needed) continue;
      if (!e) rules.push(`${where}: no ${name}`);
      else if (e.value !== undefined && !mounted(e.value)) rules.push(`${where}: ${name} names ${e.value}, which no volume is mounted at`);
    }
    if (env.get("ADUAN_CURVE_SECRET")?.value && !env.get("ADUAN_CURVE_SECRET").value.endsWith(`/${app}.cert_secret`)) {
      rules.push(`${where}: ADUAN_CURVE_SECRET is not ${app}.cert_secret`);
    }
    const volumes = new Set((pod.volumes ?? []).map((v) => v.name));
    for (const m of c.volumeMounts ?? []) if (!volumes.has(m.name)) rules.push(`${where}: mounts ${m.name}, no such volume`);
    if (config?.data?.ADUAN_CURVE_PEERS && !mounted(`${config.data.ADUAN_CURVE_PEERS}/x`)) {
      rules.push(`${where}: nothing mounted at ${config.data.ADUAN_CURVE_PEERS}`);
    }
  }
  if (pod.securityContext?.fsGroup !== 10001) rules.push(`${w.kind}/${w.metadata.name}: fsGroup is not 10001 (the image's user must read the keys)`);
  const pdb = byKind("PodDisruptionBudget").find((p) => p.spec.selector?.matchLabels?.app === app);
  if (!pdb) rules.push(`${w.kind}/${w.metadata.name}: no PodDisruptionBudget for app=${app}`);
  const policy = byKind("NetworkPolicy").find((p) => p.spec.podSelector?.matchLabels?.app === app);
  if (!policy) rules.push(`${w.kind}/${w.metadata.name}: no NetworkPolicy for app=${app}`);
}
for (const target of ["gateway", "intake"]) {
  if (!byKind("HorizontalPodAutoscaler").some((h) => h.spec.scaleTargetRef?.name === target)) {
    rules.push(`no HorizontalPodAutoscaler for ${target}`);
  }
}
if (!byKind("NetworkPolicy").some((p) => Object.keys(p.spec.podSelector ?? {}).length === 0
    && p.spec.policyTypes?.includes("Ingress") && p.spec.policyTypes?.includes("Egress"))) {
  rules.push("no default-deny NetworkPolicy (empty podSelector, Ingress and Egress)");
}
report("house rules (docs/deploy.md)", rules);

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
