import { type EventContract, eventContracts, findContract, type Topic } from '../../contracts/index.js';
import { SUBSCRIPTION_RE } from '../bus/bus.types.js';
import type { AnyConsumerDeclaration } from './declarations.js';

/** The part of a ServiceModule the topology checks read. */
export interface TopologyModule {
  readonly name: string;
  readonly publishes?: readonly Topic[];
  readonly consumers?: readonly AnyConsumerDeclaration[];
}

export interface TopologyOptions {
  /**
   * Every service of the registry (mounted here or not). Given by the runtime, it makes the modules
   * answer for their contracts: a contract may name no other consumer, each module publishes and
   * consumes exactly what the contracts say. Left out by platform tests whose modules are scaffolding.
   */
  knownServices?: readonly string[];
  /** The catalog to check against (tests); the real one by default. */
  contracts?: readonly EventContract[];
}

const deferredOf = (c: EventContract): [string, string | undefined][] =>
  Object.entries(c.deferredConsumers ?? {});

/**
 * What the contracts alone must satisfy (A9, issue 19): a topic nobody consumes says who reads it
 * outside Orderline or why its named consumers are deferred; every deferral has a reason; a
 * service is a consumer or deferred, never both; consumers and deferrals name known services.
 */
export function contractProblems(
  contracts: readonly EventContract[],
  knownServices?: readonly string[],
): string[] {
  const problems: string[] = [];
  const known = knownServices ? new Set(knownServices) : undefined;
  for (const c of contracts) {
    const deferred = deferredOf(c);
    if (c.consumers.length === 0 && !c.outsideAudience && deferred.length === 0)
      problems.push(
        `${c.topic} has no consumer, no outside audience and no deferred consumer: nobody hears it`,
      );
    for (const [service, reason] of deferred) {
      if (!reason?.trim()) problems.push(`${c.topic} defers ${service} without a reason`);
      if ((c.consumers as readonly string[]).includes(service))
        problems.push(`${c.topic} lists ${service} both as consumer and as deferred`);
    }
    if (known)
      for (const service of c.consumers)
        if (!known.has(service))
          problems.push(`${c.topic} lists ${service} as consumer, which is not a registered service`);
  }
  return problems;
}

/**
 * Refuses, at start-up, a topology that would lose, misroute or silently drop events: a module
 * publishes only topics whose contract names it, consumes under its own name, once per
 * subscription. With `knownServices` (the runtime), per mounted module — so a process running a
 * few services checks exactly its part and together the processes check the whole registry — a
 * module also publishes every topic whose contract names it as publisher (none declared and never
 * published) and registers a consumer for exactly the topics whose contract lists it among the
 * consumers (a contract never claims a consumer that does not exist), and the contracts pass
 * `contractProblems`.
 */
export function validateTopology(
  modules: readonly TopologyModule[],
  options: TopologyOptions = {},
): string[] {
  const contracts = options.contracts ?? eventContracts;
  const find = (topic: string) =>
    options.contracts ? contracts.find((c) => c.topic === topic) : findContract(topic);
  const strict = options.knownServices !== undefined;
  const problems: string[] = strict ? contractProblems(contracts, options.knownServices) : [];
  const subscriptions = new Set<string>();
  for (const m of modules) {
    const publishes = new Set<string>(m.publishes ?? []);
    for (const topic of publishes) {
      const c = find(topic);
      if (!c) problems.push(`${m.name} publishes unknown topic ${topic}`);
      else if (c.publisher !== m.name)
        problems.push(`${m.name} publishes ${topic}, whose contract names ${c.publisher} as publisher`);
    }
    const consumed = new Set<string>();
    for (const c of m.consumers ?? []) {
      const contract = find(c.topic);
      if (!contract) problems.push(`${c.subscription} consumes unknown topic ${c.topic}`);
      else if (strict && !(contract.consumers as readonly string[]).includes(m.name))
        problems.push(`${m.name} consumes ${c.topic}, whose contract does not list it as consumer`);
      if (!SUBSCRIPTION_RE.test(c.subscription) || !c.subscription.startsWith(`${m.name}.`))
        problems.push(`subscription ${c.subscription} must be named <service>.<purpose> (${m.name}.…)`);
      if (subscriptions.has(c.subscription))
        problems.push(`subscription ${c.subscription} is declared twice`);
      subscriptions.add(c.subscription);
      consumed.add(c.topic);
    }
    if (strict)
      for (const c of contracts) {
        if (c.publisher === m.name && !publishes.has(c.topic))
          problems.push(`${c.topic} names ${m.name} as publisher, but ${m.name} never publishes it`);
        if ((c.consumers as readonly string[]).includes(m.name) && !consumed.has(c.topic))
          problems.push(`${c.topic} lists ${m.name} as consumer, but ${m.name} registers no consumer of it`);
      }
  }
  return problems;
}

/**
 * Dead topics among a set of modules taken as the whole system (A9): consumed but published by
 * none of them, or published with no consuming module, no outside audience and no deferred
 * consumer. The registry test runs it over every service module.
 */
export function deadTopics(modules: readonly TopologyModule[]): string[] {
  const published = new Set(modules.flatMap((m) => m.publishes ?? []));
  const consumed = new Set(modules.flatMap((m) => (m.consumers ?? []).map((c) => c.topic)));
  const problems: string[] = [];
  for (const t of consumed) if (!published.has(t)) problems.push(`${t} is consumed but never published`);
  for (const t of published) {
    const c = findContract(t);
    if (!consumed.has(t) && !c?.outsideAudience && deferredOf(c!).length === 0)
      problems.push(`${t} is published but has no consumer, no outside audience and no deferred consumer`);
  }
  return problems.sort();
}
