// libcap (Debian's libcap-dev): capability names and numbers as the installed library
// knows them, and the running kernel's number of capabilities (cap_max_bits).
#include <sys/capability.h>
