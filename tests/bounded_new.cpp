// operator new for the test and fuzz binaries of a sanitizer build: requests over 2 GiB throw
// std::bad_alloc, as they do on a real machine with less memory. LibTorch's unpickler allocates whatever
// a length field in an archive says, and razor turns the bad_alloc into a clean error; ASan's own operator
// new aborts instead of throwing, so such inputs (tests/hostile/checkpoints/sealed_huge_length.pt) would be
// false findings. malloc and free are still ASan's, so every other check stays on. (Aligned new and delete
// are left to ASan; they pair with each other.)
#include <cstdlib>
#include <new>

namespace {

constexpr std::size_t kLimit = std::size_t{2} << 30;

void* allocate(std::size_t n) {
  if (n > kLimit) throw std::bad_alloc();
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}

void* allocate_or_null(std::size_t n) noexcept { return n > kLimit ? nullptr : std::malloc(n == 0 ? 1 : n); }

}  // namespace

void* operator new(std::size_t n) { return allocate(n); }
void* operator new[](std::size_t n) { return allocate(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return allocate_or_null(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return allocate_or_null(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
