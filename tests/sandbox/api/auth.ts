import type { Route } from './context';

export const authRoutes: Route[] = [];
