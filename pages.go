package indexingjobs

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"iter"
	"strings"
)

// The checks of this file are those of every paged list of the API, written
// once for any item type: a list method checks each page it is answered
// with (checkPage), and its iterator turns the pages into one sequence
// (all) that cannot run away, whatever the server answers.

// listOf names the items of a list and says where an item's id is.
type listOf[T any] struct {
	noun string          // one item, in errors: "indexing job"
	id   func(*T) string // the item's uuid
}

// pageMeta is what a page says of itself and of its list: its number and
// how many pages and items the list has (0 when the answer has no meta),
// and whether it links to a next page.
type pageMeta struct {
	page, pages, total int
	next               bool
}

// maxUncountedPages bounds a list whose answers carry no meta: only their
// next links say there is more, and a server could say so for ever.
const maxUncountedPages = 1000

// checkPage checks page number page of perPage items as answered: it is the
// page asked for (or has no number), its counts are not negative (the
// bounds of all rest on them), it holds at most perPage items, each with
// its id, none twice.
func (l listOf[T]) checkPage(items []T, m pageMeta, page, perPage int) error {
	if m.page != 0 && m.page != page {
		return fmt.Errorf("%w: asked for page %d, got page %d", errWrongAnswer, page, m.page)
	}
	if m.pages < 0 || m.total < 0 {
		return fmt.Errorf("%w: the list's counts are inconsistent: page %d counts %d pages and %d %ss", errWrongAnswer, page, m.pages, m.total, l.noun)
	}
	if n := len(items); n > perPage {
		return fmt.Errorf("%w: a page of %d %ss holds %d", errWrongAnswer, perPage, l.noun, n)
	}
	return l.distinct(items)
}

// distinct checks that every item of a list has its id, and no id comes
// twice (case aside: ids are UUIDs, in hex).
func (l listOf[T]) distinct(items []T) error {
	ids := make(map[string]bool, len(items))
	for i := range items {
		id := l.id(&items[i])
		if id == "" {
			return fmt.Errorf("%w: %s %d of the list has no uuid", errWrongAnswer, l.noun, i+1)
		}
		key := strings.ToLower(id)
		if ids[key] {
			return fmt.Errorf("%w: %s %q comes twice", errWrongAnswer, l.noun, clean(id, maxIDLen))
		}
		ids[key] = true
	}
	return nil
}

// all returns every item of the list, fetching page after page (fetch, by
// number from 1, perPage to a page, each checked by checkPage) as the loop
// advances. Breaking out of the loop fetches nothing more; an error is
// yielded once and ends the sequence.
//
// An item pushed from one page onto the next by an item added meanwhile is
// yielded once: the ids of the page before are kept. The list ends with an
// error instead of running away when its pages disagree with each other:
// a page that repeats any earlier one, holds only items of the page before,
// or is empty before the last page counted (or, without a count, links to
// a next one); more pages than the first count or than the total needs;
// more than maxUncountedPages without a count. Memory is that of one page
// and a 64-bit hash of each page before.
func (l listOf[T]) all(perPage int, fetch func(page int) ([]T, pageMeta, error)) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		// A 64-bit hash of each page's ids: a page that repeats any earlier
		// one is found without keeping the ids of old pages. The seed is
		// the list's own, so a server cannot choose pages that collide.
		seed := maphash.MakeSeed()
		pagesSeen := map[uint64]bool{}
		var before map[string]bool // the ids of the page before, lower-case
		counted, countedBy := 0, 0 // pages, as the first page with a count said
		for page := 1; ; page++ {
			items, m, err := fetch(page)
			if err != nil {
				yield(nil, err)
				return
			}
			if counted == 0 && m.pages > 0 {
				counted, countedBy = m.pages, page
			}
			if len(items) == 0 {
				switch last := cmp.Or(m.pages, counted); {
				case page < last:
					yield(nil, l.wrong("page %d is empty, but the list counts %d pages", page, last))
				case last == 0 && m.next:
					yield(nil, l.wrong("page %d is empty, but links to a next page", page))
				}
				return
			}
			keys := make([]string, len(items)) // the ids, lower-case, in order
			for i := range items {
				keys[i] = strings.ToLower(l.id(&items[i]))
			}
			sum := hashKeys(seed, keys)
			if pagesSeen[sum] {
				yield(nil, l.wrong("page %d repeats an earlier page", page))
				return
			}
			pagesSeen[sum] = true
			fresh := 0
			for i, key := range keys {
				if before[key] {
					continue
				}
				fresh++
				if !yield(&items[i], nil) {
					return
				}
			}
			before = make(map[string]bool, len(keys))
			for _, key := range keys {
				before[key] = true
			}
			more := m.next // without a count, the links say
			if m.pages > 0 {
				more = page < m.pages
			}
			var stop error
			switch {
			case !more:
				return
			case fresh == 0:
				stop = l.wrong("page %d holds only %ss of the page before", page, l.noun)
			case counted > 0 && page >= counted:
				stop = l.wrong("page %d says more pages follow; page %d counted %d pages", page, countedBy, counted)
			case m.pages > pagesFor(m.total, perPage):
				stop = l.wrong("page %d counts %d pages of %d %ss for %d %ss", page, m.pages, perPage, l.noun, m.total, l.noun)
			case counted == 0 && page >= maxUncountedPages:
				stop = l.wrong("still more after %d pages without a count", page)
			}
			if stop != nil {
				yield(nil, stop)
				return
			}
		}
	}
}

// wrong is the error that ends a list whose pages disagree.
func (l listOf[T]) wrong(format string, args ...any) error {
	return fmt.Errorf("indexingjobs: listing %ss: %w: %s", l.noun, errWrongAnswer, fmt.Sprintf(format, args...))
}

// hashKeys hashes a page's ids in order, each after its length so that no
// two lists of ids write the same bytes.
func hashKeys(seed maphash.Seed, keys []string) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	for _, key := range keys {
		h.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(key))))
		h.WriteString(key)
	}
	return h.Sum64()
}

// pagesFor is how many pages of perPage items total items take.
func pagesFor(total, perPage int) int {
	n := total / perPage
	if total%perPage != 0 {
		n++
	}
	return n
}
