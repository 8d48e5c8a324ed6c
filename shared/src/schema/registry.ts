import { z } from 'zod';
import { Id, Millis } from './primitives.js';
import { Stage } from './records.js';

/**
 * The model registry's people and history: who may do what, every stage move, proposal, approval
 * and alias as a record the server writes and every device pulls (devices never write them: they
 * propose through a stage change, which the server turns into a proposal when the device may not
 * promote on its own).
 */

/**
 * Roles of people in an organisation: admins manage people and may do everything; ML leads
 * approve promotions and set aliases; field staff use models and propose versions. Devices, like
 * field staff, may register versions and propose them.
 */
export const Role = z.enum(['admin', 'ml_lead', 'field']);
export type Role = z.infer<typeof Role>;

/** Roles that may make a version the production version (or roll one back). */
export const PROMOTING_ROLES: readonly Role[] = ['admin', 'ml_lead'];
export const mayPromote = (role: Role | undefined): boolean => !!role && PROMOTING_ROLES.includes(role);

/** Who did something: a person, a device, the organisation's admin key, or the server itself. */
export const Actor = z.object({
  kind: z.enum(['person', 'device', 'admin_key', 'server']),
  id: z.string().max(64),
  name: z.string().max(200),
  role: Role.optional(),
});
export type Actor = z.infer<typeof Actor>;

/** What the device that proposes or promotes measured there (the latency and memory gates read it). */
export const DeviceMeasurements = z.object({
  latencyP95Ms: z.number().min(0).max(600_000),
  memoryMb: z.number().min(0).max(1_000_000),
  deviceName: z.string().max(200),
});
export type DeviceMeasurements = z.infer<typeof DeviceMeasurements>;

/** One entry of a version's history, written by the server in the same transaction as the change. */
export const RegistryEvent = z.object({
  id: Id,
  projectId: Id,
  modelVersionId: Id,
  kind: z.enum(['moved', 'proposed', 'approved', 'rejected', 'refused', 'alias']),
  from: Stage.optional(),
  to: Stage.optional(),
  alias: z.string().max(60).optional(),
  actor: Actor,
  why: z.string().max(1000),
  at: Millis,
});
export type RegistryEvent = z.infer<typeof RegistryEvent>;

/** A request to make a version the production version, waiting for a person who may approve it. */
export const Proposal = z.object({
  id: Id,
  projectId: Id,
  modelVersionId: Id,
  to: Stage,
  status: z.enum(['pending', 'approved', 'rejected']),
  proposedBy: Actor,
  why: z.string().max(1000),
  measurements: DeviceMeasurements.optional(),
  at: Millis,
  decidedBy: Actor.optional(),
  decisionWhy: z.string().max(1000).optional(),
  decidedAt: Millis.optional(),
});
export type Proposal = z.infer<typeof Proposal>;

/** A named pointer to one version of a model (MLflow's aliases): `champion`, `challenger`. */
export const AliasName = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9_-]{0,39}$/, 'an alias is a lowercase word of letters, digits, - or _ (for example champion)');
export const ModelAlias = z.object({
  /** `${projectId}/${modelName}/${alias}`, hashed to an id (see aliasId). */
  id: Id,
  projectId: Id,
  modelName: z.string().min(1).max(200),
  alias: AliasName,
  modelVersionId: Id,
  setBy: Actor,
  at: Millis,
});
export type ModelAlias = z.infer<typeof ModelAlias>;
