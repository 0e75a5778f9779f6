/* bcryptprimitives.dll for Wine 8.0, which lacks it.
 *
 * Rust's standard library (since 1.78) asks bcryptprimitives.dll for ProcessPrng to fill its
 * random numbers (HashMap keys, among others); Windows 10 and later have it, Debian 12's Wine 8.0
 * does not, so a Rust program exits with status 53 before `main`. This stand-in forwards to
 * RtlGenRandom (advapi32's SystemFunction036), the system's cryptographic generator that older
 * Windows and Wine both have. It is built and placed beside the program only for tests under
 * Wine (`deskside_lab::wine`); nothing Deskside ships contains it.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG n = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, n))
            return FALSE;
        data += n;
        length -= n;
    }
    return TRUE;
}
