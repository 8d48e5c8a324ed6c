import type { ModelVersion, Project } from '../schema/records.js';
import type { DeviceVerdict } from '../sync/protocol.js';
import type { DaySummary } from './summary.js';
import { versionMonitor, type VersionMonitor } from './version.js';

/**
 * The fleet view of model versions: every device's day counts of a version added together (the
 * same figures a device computes from its own counts, over all of them), each device's own
 * monitor beside it, and the verdict each device last sent (drift is judged on the devices, where
 * the rows are; the fleet's own drift figure is the PSI of the added-up decile bins).
 */

export interface FleetDevice {
  deviceId: string;
  monitor: VersionMonitor;
  verdict?: DeviceVerdict;
}

export interface FleetVersion {
  version: ModelVersion;
  project?: Project;
  fleet: VersionMonitor;
  devices: FleetDevice[];
  /** Inputs whose PSI over the fleet's added-up counts is at least DRIFT_PSI. */
  driftedInputs: string[];
  /** Whether at least half of the inputs with a PSI drifted (the dataset rule, on the fleet's bins). */
  drifted: boolean;
  /** Devices whose own verdict, or whose counts, put a monitor in alert. */
  alerting: string[];
}

/** PSI at or above this is drift (the monitoring notes). */
export const DRIFT_PSI = 0.1;

export interface FleetInput {
  versions: ModelVersion[];
  projects: Project[];
  days: { deviceId: string; summary: DaySummary }[];
  verdicts: { deviceId: string; verdict: DeviceVerdict }[];
}

/** The fleet view of every version that has day counts, newest version first. */
export function fleetOf({ versions, projects, days, verdicts }: FleetInput): FleetVersion[] {
  const out: FleetVersion[] = [];
  for (const version of [...versions].sort((a, b) => b.createdAt - a.createdAt)) {
    const mine = days.filter((d) => d.summary.modelVersionId === version.id && d.summary.projectId === version.projectId);
    if (!mine.length) continue;
    const project = projects.find((p) => p.id === version.projectId);
    const settings = project ?? {};
    const fleet = versionMonitor(
      version,
      settings,
      mine.map((d) => d.summary),
    );
    const deviceIds = [...new Set(mine.map((d) => d.deviceId))].sort();
    const devices = deviceIds.map((deviceId) => {
      const verdict = verdicts.find((v) => v.deviceId === deviceId && v.verdict.modelVersionId === version.id)?.verdict;
      const own = mine.filter((d) => d.deviceId === deviceId).map((d) => d.summary);
      return { deviceId, verdict, monitor: versionMonitor(version, settings, own, verdict?.drift) };
    });
    const withPsi = fleet.figures?.inputs.filter((i) => i.psi !== null && Number.isFinite(i.psi)) ?? [];
    const driftedInputs = withPsi.filter((i) => i.psi! >= DRIFT_PSI).map((i) => i.name);
    out.push({
      version,
      project,
      fleet,
      devices,
      driftedInputs,
      drifted: withPsi.length > 0 && driftedInputs.length * 2 >= withPsi.length,
      alerting: devices.filter((d) => d.verdict?.state === 'alert' || d.monitor.overall === 'alert').map((d) => d.deviceId),
    });
  }
  return out;
}
