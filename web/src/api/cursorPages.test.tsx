import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { describe, expect, it, vi } from "vitest";

import { type CursorPage, cursorPagesOptions, useCursorPages } from "./cursorPages";

/** A list of `letters`, two a page, whose cursor is the last letter sent. */
function listOf(letters: string[]) {
  return vi.fn((cursor: string | undefined): Promise<CursorPage<string>> => {
    const start = cursor === undefined ? 0 : letters.indexOf(cursor) + 1;
    const items = letters.slice(start, start + 2);
    const more = start + 2 < letters.length;
    return Promise.resolve({ items, next_cursor: more ? (items.at(-1) ?? null) : null });
  });
}

function wrapper({ children }: { children: ReactNode }) {
  return <QueryClientProvider client={new QueryClient()}>{children}</QueryClientProvider>;
}

describe("useCursorPages", () => {
  it("asks for each next page with the cursor the page before gave, until one gives none", async () => {
    const fetchPage = listOf(["a", "b", "c", "d", "e"]);
    const { result } = renderHook(
      () => useCursorPages(cursorPagesOptions(["letters"], fetchPage)),
      { wrapper },
    );

    await waitFor(() => {
      expect(result.current.items).toEqual(["a", "b"]);
    });
    expect(result.current.hasMore).toBe(true);
    act(() => {
      result.current.loadMore();
    });
    await waitFor(() => {
      expect(result.current.items).toEqual(["a", "b", "c", "d"]);
    });
    act(() => {
      result.current.loadMore();
    });
    await waitFor(() => {
      expect(result.current.items).toEqual(["a", "b", "c", "d", "e"]);
    });

    expect(result.current.hasMore).toBe(false);
    expect(fetchPage.mock.calls).toEqual([[undefined], ["b"], ["d"]]);
  });

  it("offers no more after a last page that leaves the cursor out", async () => {
    const fetchPage = vi.fn(() => Promise.resolve<CursorPage<string>>({ items: ["only"] }));
    const { result } = renderHook(
      () => useCursorPages(cursorPagesOptions(["one page"], fetchPage)),
      { wrapper },
    );

    await waitFor(() => {
      expect(result.current.isSuccess).toBe(true);
    });

    expect(result.current.items).toEqual(["only"]);
    expect(result.current.hasMore).toBe(false);
  });

  it("starts from the first page again when the key changes, as a new filter does", async () => {
    const lists: Record<string, ReturnType<typeof listOf>> = {
      vowels: listOf(["a", "e", "i"]),
      consonants: listOf(["b", "c", "d"]),
    };
    const { result, rerender } = renderHook(
      ({ filter }: { filter: string }) =>
        useCursorPages(
          cursorPagesOptions(["letters", filter], (cursor) =>
            (lists[filter] ?? listOf([]))(cursor),
          ),
        ),
      { wrapper, initialProps: { filter: "vowels" } },
    );
    await waitFor(() => {
      expect(result.current.items).toEqual(["a", "e"]);
    });
    act(() => {
      result.current.loadMore();
    });
    await waitFor(() => {
      expect(result.current.items).toEqual(["a", "e", "i"]);
    });

    rerender({ filter: "consonants" });

    await waitFor(() => {
      expect(result.current.items).toEqual(["b", "c"]);
    });
    expect(result.current.hasMore).toBe(true);
    expect(lists.consonants?.mock.calls).toEqual([[undefined]]);
  });
});
