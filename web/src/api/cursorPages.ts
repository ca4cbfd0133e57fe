import { infiniteQueryOptions, type QueryKey, useInfiniteQuery } from "@tanstack/react-query";

/** A page of a keyset-paginated list (the API's `Page_*`): `next_cursor` asks for the page
 * after it, and is `null` (or absent) on the last. */
export interface CursorPage<T> {
  items: T[];
  next_cursor?: string | null;
}

/** The infinite query of a cursor-paged list: the first page without a cursor, each next one
 * with the cursor the page before gave, until a page gives none. */
export function cursorPagesOptions<T, TKey extends QueryKey>(
  queryKey: TKey,
  fetchPage: (cursor: string | undefined) => Promise<CursorPage<T>>,
) {
  return infiniteQueryOptions({
    queryKey,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page: CursorPage<T>) => page.next_cursor ?? undefined,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
  });
}

/** A cursor-paged list as a page shows it: the items of every page fetched so far. */
export interface CursorPages<T> {
  items: T[];
  isPending: boolean;
  isSuccess: boolean;
  error: Error | null;
  /** Whether the last page fetched named a next one. */
  hasMore: boolean;
  /** Fetches the next page and appends its items. */
  loadMore: () => void;
}

/** Runs {@link cursorPagesOptions}; a new query key (other filters) starts from the first
 * page again. */
export function useCursorPages<T, TKey extends QueryKey>(
  options: ReturnType<typeof cursorPagesOptions<T, TKey>>,
): CursorPages<T> {
  const pages = useInfiniteQuery(options);
  return {
    items: pages.data?.pages.flatMap((page) => page.items) ?? [],
    isPending: pages.isPending,
    isSuccess: pages.isSuccess,
    error: pages.error,
    hasMore: pages.hasNextPage,
    loadMore: () => {
      void pages.fetchNextPage();
    },
  };
}
