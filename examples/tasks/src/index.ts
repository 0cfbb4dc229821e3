export { task, taskEventTypes, type TaskState } from './task.ts';
export { user, isIdle, type Activity, type UserState, type UserEvent } from './user.ts';
export { taskEvents, publishTaskEvents } from './taskEvents.ts';
export { taskCommands } from './taskCommands.ts';
export { claimReplies } from './claimReplies.ts';
export { createTasksService, taskCommandHandler, type TasksServiceOptions } from './tasksService.ts';
export { createUsersService, sendTaskCommands, type UsersServiceOptions } from './usersService.ts';
export { auditStory, type StoryAudit, type StoryInvariants, type AuditSources } from './auditStory.ts';
export { pickRacers, type PickRacersOptions } from './pickRacers.ts';
export { seededRandom } from './seededRandom.ts';
export {
  runTasksDemo,
  type TasksDemoOptions,
  type TasksDemoPhase,
  type TasksDemoProgress,
  type TasksDemoResult,
} from './runTasksDemo.ts';
export { tasksSimulation, type TasksSimulationOptions } from './simulation/tasksSimulation.ts';
