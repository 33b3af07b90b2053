package indexingjobs

import (
	"cmp"
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
			return fmt.Errorf("%w: %s %s comes twice", errWrongAnswer, l.noun, shownID(id))
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
// No item is yielded twice: an item pushed from one page onto a later one
// by items added meanwhile, or sent again in any order, is skipped. The
// list ends with an error instead of running away when its pages disagree
// with each other: a page that holds only items of earlier pages, or is
// empty before the last page counted (or, without a count, links to a
// next one); more pages than the first count or than the total needs;
// more than maxUncountedPages without a count. Memory is that of one page
// and a 64-bit hash of the id of each item yielded: 8 bytes an item, 11 to
// 22 in the table that holds them (hashSet; BenchmarkListMemoryPerItem).
func (l listOf[T]) all(perPage int, fetch func(page int) ([]T, pageMeta, error)) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		// The seed is the list's own, so a server cannot choose ids whose
		// hashes collide. By chance, two ids of a list of a million collide
		// (and the second is skipped) once in about 37 million lists.
		seed := maphash.MakeSeed()
		var seen hashSet           // the hash of each id yielded, lower-case
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
			fresh := 0
			for i := range items {
				if !seen.add(maphash.String(seed, strings.ToLower(l.id(&items[i])))) {
					continue
				}
				fresh++
				if !yield(&items[i], nil) {
					return
				}
			}
			more := m.next // without a count, the links say
			if m.pages > 0 {
				more = page < m.pages
			}
			var stop error
			switch {
			case fresh == 0:
				stop = l.wrong("page %d holds only %ss of earlier pages", page, l.noun)
			case !more:
				return
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

// hashSet is a set of 64-bit hashes, 8 bytes each in a table kept at most
// three-quarters full: 11 to 22 bytes a hash, where a map[uint64]struct{}
// takes 24 to 38 (a slot of 16 bytes, at most seven-eighths full).
type hashSet struct {
	slots []uint64 // 0 is an empty slot; a hash of 0 is kept as 1
	n     int
}

// add puts h in the set and reports whether it was not there before.
func (s *hashSet) add(h uint64) bool {
	if 4*(s.n+1) > 3*len(s.slots) {
		old := s.slots
		s.slots, s.n = make([]uint64, max(64, 2*len(old))), 0
		for _, k := range old {
			if k != 0 {
				s.add(k)
			}
		}
	}
	h = max(h, 1)
	mask := uint64(len(s.slots) - 1) // a power of two
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case h:
			return false
		case 0:
			s.slots[i] = h
			s.n++
			return true
		}
	}
}

// pagesFor is how many pages of perPage items total items take.
func pagesFor(total, perPage int) int {
	n := total / perPage
	if total%perPage != 0 {
		n++
	}
	return n
}
