import type { Route } from './context';

export const sheetsRoutes: Route[] = [];
