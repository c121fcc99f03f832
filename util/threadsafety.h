// Clang thread-safety annotations (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html).
// With clang and -Wthread-safety, the compiler checks that a GUARDED_BY field is touched
// only with its mutex held and that REQUIRES/EXCLUDES contracts hold at every call; with
// other compilers the macros expand to nothing. Use the annotated types of util/sync.h:
// libstdc++'s std::mutex carries no annotations, so the analysis cannot see through it.
#pragma once

#if defined(__clang__)
#define MINICASH_TSA(x) __attribute__((x))
#else
#define MINICASH_TSA(x)
#endif

// Abseil's internal thread_annotations.h (pulled in by its containers) defines some of
// the same names, with the same meaning: ours win where both are seen.
#undef GUARDED_BY
#undef PT_GUARDED_BY
#undef ACQUIRED_BEFORE
#undef ACQUIRED_AFTER
#undef NO_THREAD_SAFETY_ANALYSIS

#define CAPABILITY(x) MINICASH_TSA(capability(x))
#define SCOPED_CAPABILITY MINICASH_TSA(scoped_lockable)
#define GUARDED_BY(x) MINICASH_TSA(guarded_by(x))
#define PT_GUARDED_BY(x) MINICASH_TSA(pt_guarded_by(x))
#define ACQUIRED_BEFORE(...) MINICASH_TSA(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) MINICASH_TSA(acquired_after(__VA_ARGS__))
#define REQUIRES(...) MINICASH_TSA(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) MINICASH_TSA(requires_shared_capability(__VA_ARGS__))
#define ACQUIRE(...) MINICASH_TSA(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) MINICASH_TSA(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) MINICASH_TSA(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) MINICASH_TSA(release_shared_capability(__VA_ARGS__))
#define RELEASE_GENERIC(...) MINICASH_TSA(release_generic_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) MINICASH_TSA(try_acquire_capability(__VA_ARGS__))
#define TRY_ACQUIRE_SHARED(...) MINICASH_TSA(try_acquire_shared_capability(__VA_ARGS__))
#define EXCLUDES(...) MINICASH_TSA(locks_excluded(__VA_ARGS__))
#define ASSERT_CAPABILITY(x) MINICASH_TSA(assert_capability(x))
#define ASSERT_SHARED_CAPABILITY(x) MINICASH_TSA(assert_shared_capability(x))
#define RETURN_CAPABILITY(x) MINICASH_TSA(lock_returned(x))
#define NO_THREAD_SAFETY_ANALYSIS MINICASH_TSA(no_thread_safety_analysis)
