// Boost.URL's implementation, compiled into ide_http (Debian's Boost 1.81 has no libboost_url).
#include <boost/url/src.hpp>
