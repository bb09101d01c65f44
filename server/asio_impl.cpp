// asio_impl.cpp — the one translation unit that compiles Asio's and Beast's implementation.
//
// With BOOST_ASIO_SEPARATE_COMPILATION and BOOST_BEAST_SEPARATE_COMPILATION defined for every
// user (see server/CMakeLists.txt), the heavy template bodies that both libraries can build
// ahead of time live here, once, instead of in every file that includes their headers.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
