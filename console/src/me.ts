// Who is signed in and what the authorisation table lets them do (GET /me): the menu shows only those.
import { useQuery } from '@tanstack/react-query';
import type { Operation } from '@engine/api/authz.js';
import { api } from './api';

export interface Me {
  id: string;
  role: string;
  department?: string;
  level?: string;
  town?: string;
  operations: Operation[];
}

export const useMe = (enabled = true) => useQuery({ queryKey: ['me'], queryFn: () => api<Me>('/me'), enabled });

export const may = (me: Me | undefined, op: Operation) => me?.operations.includes(op) ?? false;
