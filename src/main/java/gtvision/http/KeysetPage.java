package gtvision.http;

import java.util.List;
import java.util.function.Function;

/**
 * One page of a keyset-paged search (cameras, detections, events, alerts): the routes fetch one row more
 * than asked, and that extra row alone says whether another page exists; the cursor then points after the
 * page's last item, so the next page starts exactly where this one ends however the table changes.
 *
 * @param items at most the limit asked for, in the search's order
 * @param nextCursor the cursor of the next page, null when this is the last one
 */
public record KeysetPage<R>(List<R> items, String nextCursor) {

  public KeysetPage {
    items = List.copyOf(items);
  }

  /** The page in {@code rows}, fetched with a limit of {@code limit + 1}. */
  public static <R> KeysetPage<R> of(List<R> rows, int limit, Function<R, String> cursorAfter) {
    List<R> items = rows.stream().limit(limit).toList();
    String next = rows.size() > limit ? cursorAfter.apply(items.get(items.size() - 1)) : null;
    return new KeysetPage<>(items, next);
  }

  public <T> List<T> map(Function<R, T> f) {
    return items.stream().map(f).toList();
  }
}
