import { useQuery } from '@tanstack/react-query';
import type { Page } from '../components/DataTable';
import { api } from './session';
import type { Warehouse } from './types';

export const useWarehouses = () =>
  useQuery({
    queryKey: ['warehouses'],
    queryFn: () => api<Page<Warehouse>>('GET', '/admin/warehouses?limit=100'),
    staleTime: 60_000,
  });
