import type { Route } from './context';

export const driveFilesRoutes: Route[] = [];
