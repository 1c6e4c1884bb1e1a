/**
 * The circuit computations the run pipeline calls (workers/circuits/compute.ts): lib/circuits' real functions.
 */
import { discoverCircuit } from '@/lib/circuits/discovery/acdc';
import { pathPatch } from '@/lib/circuits/path-patching';
import { patchHeads } from '@/lib/circuits/patching/sweeps';
import { checkTaskPerformance } from '@/lib/circuits/performance';
import { detectRoles } from '@/lib/circuits/roles';
import { buildAllTasks } from '@/lib/circuits/tasks';
import type { CircuitComputations } from './compute';

export const circuitComputations: CircuitComputations = {
  buildAllTasks,
  checkTaskPerformance,
  patchHeads,
  pathPatch,
  discoverCircuit,
  detectRoles,
};
