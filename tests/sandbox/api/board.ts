import type { Route } from './context';

export const boardRoutes: Route[] = [];
