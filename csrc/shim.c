/*
 * shim.c -- libzmq.so.5 for zmq4: the libzmq 4.0 C ABI, forwarded into Python.
 *
 * Every zmq_* function of include/zmq.h (except the pure-C helpers in
 * utils.c) takes the GIL, calls one entry of the function table exported by
 * the Cython bridge zmq4._cabi (csrc/zmq4_cabi.h), releases the GIL and sets
 * errno from the entry's error code.  zmq_errno() is therefore plain errno,
 * as in libzmq.
 *
 * Two modes, decided on the first call:
 *   host      a Python interpreter is already running in this process (the
 *             library was loaded by ctypes/cffi, or by a program that embeds
 *             Python itself): join it with PyGILState_Ensure.
 *   embedded  no interpreter: dlopen libpython, start it once (no signal
 *             handlers, C stdio untouched), import zmq4._cabi, then release
 *             the GIL so that C threads run in parallel.
 *
 * The library has no DT_NEEDED on libpython and no undefined Py* symbol
 * (linked with -z defs): Python.h is used for types only, and the ~25 C-API
 * functions needed are found with dlsym at run time (RTLD_DEFAULT in host
 * mode, the dlopen'ed libpython in embedded mode).  One shim serves static
 * and shared Python builds alike, and never maps a second libpython.
 *
 * Threads: a C thread without a Python thread state gets one on its first
 * call and keeps it (PyGILState_Ensure + PyEval_SaveThread); a pthread key
 * destructor frees it at thread exit.  Without this, each call would create
 * and destroy a thread state (microseconds, and the runtime's HEAD_LOCK,
 * which deadlocks fork).
 *
 * fork (embedded mode): pthread_atfork handlers hold the GIL across fork()
 * and run PyOS_BeforeFork / PyOS_AfterFork_{Parent,Child}, so the child has a
 * working interpreter (and zmq4's own at-fork hooks run).  In host mode fork
 * belongs to Python (os.fork).
 *
 * Exit: embedded mode never finalises Python (other C threads may still be
 * inside it); a C atexit handler runs Python's atexit hooks and flushes
 * sys.stdout/sys.stderr.  Host mode: the bridge's Python atexit hook shuts
 * down every context created through the shim and calls shim_drain(), which
 * makes new calls fail with ETERM and waits (bounded) for calls in flight.
 *
 * The right Python: the library and zmq4's extensions hold for the CPython
 * major.minor they were built for.  Any other (the host interpreter, a
 * libpython linked into the program, or one named by ZMQ4_LIBPYTHON) is
 * refused before anything but Py_GetVersion is called: every call fails
 * with ENOSYS, and stderr says "built for Python X.Y, running A.B" and what
 * to do.
 *
 * Finding Python in embedded mode (ZMQ4_DEBUG=1 traces every step):
 *   interpreter: $ZMQ4_PYTHON; else the installation this library sits in
 *   (<prefix>/lib/pythonX.Y/site-packages/zmq4/lib/libzmq.so.5, a venv when
 *   <prefix>/pyvenv.cfg exists); else, for in-place (editable) builds only,
 *   the interpreter that built it; else PYTHONHOME is derived from libpython.
 *   libpython: $ZMQ4_LIBPYTHON; else next to that interpreter's base prefix;
 *   else (in-place builds) the build's; else the soname via the loader path.
 *   The directory holding the zmq4 package goes first on sys.path.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h> /* types only: no Py* function is called directly */

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../include/zmq.h"
#include "../include/zmq_utils.h"
#include "zmq4_cabi.h"

#define LIKELY(x) __builtin_expect (!!(x), 1)
#define UNLIKELY(x) __builtin_expect (!!(x), 0)

#define STR2(x) #x
#define STR(x) STR2 (x)
#define PYVER STR (PY_MAJOR_VERSION) "." STR (PY_MINOR_VERSION)

/* ------------------------------------------------------------------------ */
/* The Python C-API, resolved at run time                                    */
/* ------------------------------------------------------------------------ */

#define PY_CORE(X)                                                            \
    X (Py_IsInitialized)                                                      \
    X (PyGILState_Ensure)                                                     \
    X (PyGILState_Release)                                                    \
    X (PyGILState_GetThisThreadState)                                         \
    X (PyGILState_Check)                                                      \
    X (PyEval_SaveThread)                                                     \
    X (PyEval_RestoreThread)                                                  \
    X (PyThreadState_Clear)                                                   \
    X (PyThreadState_DeleteCurrent)                                           \
    X (PyImport_ImportModule)                                                 \
    X (PyObject_GetAttrString)                                                \
    X (PyCapsule_GetPointer)                                                  \
    X (Py_DecRef)                                                             \
    X (PyErr_Print)                                                           \
    X (PyErr_Occurred)                                                        \
    X (PyErr_ExceptionMatches)                                                \
    X (PyErr_Clear)                                                           \
    X (PyRun_SimpleStringFlags)                                               \
    X (PyUnicode_AsUTF8)                                                      \
    X (Py_GetVersion)

#define PY_EMBED(X)                                                           \
    X (PyConfig_InitPythonConfig)                                             \
    X (PyConfig_SetBytesString)                                               \
    X (PyConfig_Clear)                                                        \
    X (Py_InitializeFromConfig)                                               \
    X (PyStatus_Exception)                                                    \
    X (PyOS_BeforeFork)                                                       \
    X (PyOS_AfterFork_Parent)                                                 \
    X (PyOS_AfterFork_Child)

#define PY_DECLARE(name) __typeof__ (&name) name;
static struct
{
    PY_CORE (PY_DECLARE)
    PY_EMBED (PY_DECLARE)
    int (*IsFinalizing) (void);
    PyObject **ImportError; /* the PyExc_ImportError variable */
} py;

/* ------------------------------------------------------------------------ */
/* State                                                                     */
/* ------------------------------------------------------------------------ */

static pthread_once_t start_once = PTHREAD_ONCE_INIT;
static int start_failed;            /* written once, inside start_once */
static int shim_mode;               /* ZMQ4_MODE_HOST / ZMQ4_MODE_EMBEDDED */
static const zmq4_cabi_t *api;      /* set once the bridge is imported */
static int ready;                   /* atomic: api usable */
static int closing;                 /* atomic: host Python is exiting */
static long inflight;               /* atomic: calls inside Python */
static pthread_key_t pin_key;       /* value: the thread's pinned tstate */
static int debug;

static __thread int tls_known; /* this thread has a thread state (ours or Python's) */

/* Batching (csrc/zmq4_fast.h).  tls_fast: this thread's sockets whose last
 * forwarded send or recv succeeded, by handle (FAST_WAY).  tls_dirty: the one
 * socket this thread queued sends on since its last call into Python, which
 * that call (and any batched call on another socket) sends first, so what one
 * thread sends reaches the pipes in the order it sent it. */
#define FAST_WAYS 8
static __thread void *tls_fast[FAST_WAYS];
#define FAST_WAY(s) ((((uintptr_t) (s)) >> 5) & (FAST_WAYS - 1))
static __thread void *tls_dirty; /* NULL: no sends queued */
static __thread int tls_fork_held;
static __thread PyGILState_STATE tls_fork_gil;

static void trace (const char *fmt, ...)
{
    va_list ap;
    if (!debug)
        return;
    va_start (ap, fmt);
    fputs ("zmq4 shim: ", stderr);
    vfprintf (stderr, fmt, ap);
    fputc ('\n', stderr);
    va_end (ap);
}

static void complain (const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    fputs ("zmq4 shim: ", stderr);
    vfprintf (stderr, fmt, ap);
    fputc ('\n', stderr);
    va_end (ap);
}

/* ------------------------------------------------------------------------ */
/* Paths                                                                     */
/* ------------------------------------------------------------------------ */

static int is_file (const char *path)
{
    struct stat st;
    return path && path[0] && stat (path, &st) == 0 && S_ISREG (st.st_mode);
}

static int is_exe (const char *path)
{
    return is_file (path) && access (path, X_OK) == 0;
}

static void dirname_inplace (char *path)
{
    char *slash = strrchr (path, '/');
    if (slash == path)
        path[1] = 0;
    else if (slash)
        *slash = 0;
}

static int ends_with (const char *s, const char *suffix)
{
    size_t n = strlen (s), m = strlen (suffix);
    return n >= m && strcmp (s + n - m, suffix) == 0;
}

/* The real path of this library (.../zmq4/lib/libzmq.so.5). */
static int self_path (char *out)
{
    Dl_info info;
    /* a hidden symbol: an interposed zmq_version could be another libzmq */
    if (!dladdr ((void *) &self_path, &info) || !info.dli_fname)
        return -1;
    if (!realpath (info.dli_fname, out))
        return -1;
    return 0;
}

/* The interpreter of the installation this library sits in, if any. */
static int python_of_installation (const char *root, char *out)
{
    static const char *const tails[] = {"/lib/python" PYVER "/site-packages",
                                        "/lib/python3/dist-packages",
                                        "/lib/python" PYVER "/dist-packages"};
    static const char *const names[] = {"python" PYVER, "python3", "python"};
    char prefix[PATH_MAX];
    size_t i, j;
    for (i = 0; i < sizeof tails / sizeof *tails; i++) {
        if (!ends_with (root, tails[i]))
            continue;
        snprintf (prefix, sizeof prefix, "%.*s",
                  (int) (strlen (root) - strlen (tails[i])), root);
        for (j = 0; j < sizeof names / sizeof *names; j++) {
            snprintf (out, PATH_MAX, "%s/bin/%s", prefix, names[j]);
            if (is_exe (out))
                return 0;
        }
        /* Debian: /usr/local/lib/python3/dist-packages belongs to /usr/bin */
        snprintf (out, PATH_MAX, "/usr/bin/python" PYVER);
        if (i > 0 && is_exe (out))
            return 0;
    }
    return -1;
}

/* The base prefix of an interpreter: pyvenv.cfg's home, else its own prefix. */
static int base_prefix_of (const char *python, char *out)
{
    char path[PATH_MAX], line[PATH_MAX + 64];
    FILE *f;
    snprintf (path, sizeof path, "%s", python);
    dirname_inplace (path); /* bin */
    dirname_inplace (path); /* prefix */
    snprintf (line, sizeof line, "%s/pyvenv.cfg", path);
    f = fopen (line, "r");
    if (f) {
        while (fgets (line, sizeof line, f)) {
            char *p = line, *v;
            while (*p == ' ' || *p == '\t')
                p++;
            if (strncmp (p, "home", 4) != 0)
                continue;
            v = strchr (p, '=');
            if (!v)
                continue;
            v++;
            while (*v == ' ' || *v == '\t')
                v++;
            v[strcspn (v, "\r\n")] = 0;
            while (*v && v[strlen (v) - 1] == ' ')
                v[strlen (v) - 1] = 0;
            snprintf (out, PATH_MAX, "%s", v); /* home = <base>/bin */
            dirname_inplace (out);
            fclose (f);
            return 0;
        }
        fclose (f);
    }
    if (!realpath (python, path))
        return -1;
    dirname_inplace (path);
    dirname_inplace (path);
    snprintf (out, PATH_MAX, "%s", path);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Symbols                                                                   */
/* ------------------------------------------------------------------------ */

static int resolve (void *handle, int embed)
{
    void *p;
#define PY_RESOLVE(name)                                                      \
    p = dlsym (handle, #name);                                                \
    if (!p) {                                                                 \
        complain ("the Python C-API function %s is missing", #name);          \
        return -1;                                                            \
    }                                                                         \
    memcpy (&py.name, &p, sizeof p);
    PY_CORE (PY_RESOLVE)
    if (embed) {
        PY_EMBED (PY_RESOLVE)
    }
#undef PY_RESOLVE
    p = dlsym (handle, "Py_IsFinalizing");
    if (!p)
        p = dlsym (handle, "_Py_IsFinalizing");
    memcpy (&py.IsFinalizing, &p, sizeof p);
    py.ImportError = (PyObject **) dlsym (handle, "PyExc_ImportError");
    return 0;
}

static int py_finalizing (void)
{
    return py.IsFinalizing ? py.IsFinalizing () : 0;
}

/* Is the Python just resolved the one this library was built for?  The
 * bridge's compiled extensions, and the embedded start-up (PyConfig's
 * layout), hold for that major.minor only: with another one, say which and
 * what to do, and never call further in (Py_GetVersion is safe to call in
 * any version, initialised or not).  `embedded`: it is a libpython this
 * library loaded, not the process's own interpreter. */
static int python_matches (int embedded)
{
    const char *version = py.Py_GetVersion ();
    int major = 0, minor = 0;
    char self[PATH_MAX], where[PATH_MAX];
    Dl_info info;
    ssize_t n;
    if (version && sscanf (version, "%d.%d", &major, &minor) == 2
        && major == PY_MAJOR_VERSION && minor == PY_MINOR_VERSION)
        return 1;
    if (!dladdr ((void *) &python_matches, &info) || !info.dli_fname
        || !realpath (info.dli_fname, self))
        snprintf (self, sizeof self, "libzmq.so.5");
    where[0] = 0;
    if (embedded) {
        if (dladdr ((void *) py.Py_GetVersion, &info) && info.dli_fname)
            snprintf (where, sizeof where, "%s", info.dli_fname);
    } else if ((n = readlink ("/proc/self/exe", where, sizeof where - 1)) > 0)
        where[n] = 0;
    complain ("%s was built for Python " PYVER ", running %d.%d%s%s%s", self,
              major, minor, where[0] ? " (" : "", where, where[0] ? ")" : "");
    if (embedded)
        complain ("a zmq4 install works only with the Python it was built "
                  "for: point ZMQ4_LIBPYTHON at a libpython" PYVER " (or "
                  "unset it), or link the libzmq.so.5 of a zmq4 installed "
                  "for Python %d.%d",
                  major, minor);
    else
        complain ("a zmq4 install works only in the Python it was built for: "
                  "install zmq4 for Python %d.%d (python%d.%d -m pip install "
                  "zmq4) and load that install's library (python%d.%d -m "
                  "zmq4 config --library prints its path), or run under "
                  "Python " PYVER,
                  major, minor, major, minor, major, minor);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Threads                                                                   */
/* ------------------------------------------------------------------------ */

/* Give this thread a thread state of its own that outlives the call.       */
static void pin_thread (void)
{
    if (py.PyGILState_GetThisThreadState () == NULL) {
        PyThreadState *ts;
        (void) py.PyGILState_Ensure (); /* creates it, gilstate counter 1 */
        ts = py.PyEval_SaveThread ();   /* keeps it, releases the GIL */
        pthread_setspecific (pin_key, ts);
        trace ("pinned a thread state for thread %lu",
               (unsigned long) pthread_self ());
    }
    tls_known = 1;
}

/* Thread exit (pthread key destructor).  glibc has already cleared other
 * keys' values by now, Python's thread-state key among them, so
 * PyGILState_Release would not find the thread state: delete it directly. */
static void unpin_thread (void *ts)
{
    __atomic_add_fetch (&inflight, 1, __ATOMIC_SEQ_CST);
    if (!__atomic_load_n (&closing, __ATOMIC_SEQ_CST) && py.Py_IsInitialized ()
        && !py_finalizing ()) {
        py.PyEval_RestoreThread ((PyThreadState *) ts);
        py.PyThreadState_Clear ((PyThreadState *) ts);
        py.PyThreadState_DeleteCurrent (); /* and releases the GIL */
    }
    __atomic_sub_fetch (&inflight, 1, __ATOMIC_SEQ_CST);
}

/* Host mode, Python exiting (called by the bridge's atexit hook, GIL
 * released): refuse new calls and wait for the ones in flight. */
static void shim_drain (void)
{
    int i;
    __atomic_store_n (&closing, 1, __ATOMIC_SEQ_CST);
    for (i = 0; i < 2000 && __atomic_load_n (&inflight, __ATOMIC_SEQ_CST) > 0;
         i++)
        usleep (1000);
    trace ("host interpreter exiting: %ld call(s) still in flight",
           __atomic_load_n (&inflight, __ATOMIC_SEQ_CST));
}

/* ------------------------------------------------------------------------ */
/* fork and exit (embedded mode)                                             */
/* ------------------------------------------------------------------------ */

static void fork_prepare (void)
{
    tls_fork_held = 0;
    if (!__atomic_load_n (&ready, __ATOMIC_ACQUIRE)
        || shim_mode != ZMQ4_MODE_EMBEDDED)
        return;
    if (tls_known && py.PyGILState_Check ())
        return; /* os.fork() inside Python: Python does all of this itself */
    if (!tls_known)
        pin_thread ();
    tls_fork_gil = py.PyGILState_Ensure ();
    py.PyOS_BeforeFork ();
    tls_fork_held = 1;
}

static void fork_parent (void)
{
    if (!tls_fork_held)
        return;
    tls_fork_held = 0;
    py.PyOS_AfterFork_Parent ();
    py.PyGILState_Release (tls_fork_gil);
}

static void fork_child (void)
{
    /* the other threads, and their calls in flight, did not come along */
    __atomic_store_n (&inflight, 0, __ATOMIC_SEQ_CST);
    /* nor the I/O threads that drain outboxes: this thread starts afresh (the
     * bridge detaches every socket's batching state in the child too) */
    memset (tls_fast, 0, sizeof tls_fast);
    tls_dirty = NULL;
    if (!tls_fork_held)
        return;
    tls_fork_held = 0;
    py.PyOS_AfterFork_Child ();
    py.PyGILState_Release (tls_fork_gil);
}

static void embedded_atexit (void)
{
    PyGILState_STATE g;
    if (!__atomic_load_n (&ready, __ATOMIC_ACQUIRE))
        return;
    if (!tls_known)
        pin_thread ();
    g = py.PyGILState_Ensure ();
    py.PyRun_SimpleStringFlags (
      "import atexit as _zmq4_atexit, sys as _zmq4_sys\n"
      "try:\n"
      "    _zmq4_atexit._run_exitfuncs()\n"
      "finally:\n"
      "    for _zmq4_f in (_zmq4_sys.stdout, _zmq4_sys.stderr):\n"
      "        try:\n"
      "            _zmq4_f.flush()\n"
      "        except Exception:\n"
      "            pass\n",
      NULL);
    py.PyGILState_Release (g);
}

/* ------------------------------------------------------------------------ */
/* Start-up                                                                  */
/* ------------------------------------------------------------------------ */

/* sys.path.insert(0, dir) unless present; dir passed as hex (any bytes). */
static void syspath_insert (const char *dir)
{
    char hex[2 * PATH_MAX + 1], code[2 * PATH_MAX + 512];
    size_t i, n = strlen (dir);
    for (i = 0; i < n && i < PATH_MAX; i++)
        sprintf (hex + 2 * i, "%02x", (unsigned char) dir[i]);
    hex[2 * i] = 0;
    snprintf (code, sizeof code,
              "import os as _zmq4_os, sys as _zmq4_sys\n"
              "_zmq4_d = _zmq4_os.fsdecode(bytes.fromhex('%s'))\n"
              "if _zmq4_d not in _zmq4_sys.path:\n"
              "    _zmq4_sys.path.insert(0, _zmq4_d)\n"
              "del _zmq4_d, _zmq4_os, _zmq4_sys\n",
              hex);
    py.PyRun_SimpleStringFlags (code, NULL);
}

/* Import zmq4._cabi and take its table.  GIL held. */
static int import_api (const char *root)
{
    PyObject *mod, *cap;
    const zmq4_cabi_t *t;
    int err = 0;
    mod = py.PyImport_ImportModule ("zmq4._cabi");
    if (!mod && root && py.ImportError
        && py.PyErr_ExceptionMatches (*py.ImportError)) {
        /* host interpreter without this zmq4 on sys.path */
        py.PyErr_Clear ();
        trace ("zmq4._cabi not importable; adding %s to sys.path", root);
        syspath_insert (root);
        mod = py.PyImport_ImportModule ("zmq4._cabi");
    }
    if (!mod) {
        complain ("cannot import zmq4._cabi:");
        py.PyErr_Print ();
        return -1;
    }
    if (debug) {
        PyObject *file = py.PyObject_GetAttrString (mod, "__file__");
        const char *text = file ? py.PyUnicode_AsUTF8 (file) : NULL;
        trace ("bridge %s", text ? text : "?");
        if (file)
            py.Py_DecRef (file);
        py.PyErr_Clear ();
    }
    cap = py.PyObject_GetAttrString (mod, "_C_API");
    /* the module stays imported for the life of the process */
    if (!cap) {
        py.PyErr_Print ();
        return -1;
    }
    t = (const zmq4_cabi_t *) py.PyCapsule_GetPointer (cap, ZMQ4_CABI_CAPSULE);
    py.Py_DecRef (cap);
    if (!t) {
        py.PyErr_Print ();
        return -1;
    }
    if (t->version != ZMQ4_CABI_VERSION || t->size < sizeof (zmq4_cabi_t)) {
        complain ("zmq4._cabi has function table version %u (size %u); this "
                  "library needs version %d (size %zu): mismatched installs",
                  t->version, t->size, ZMQ4_CABI_VERSION, sizeof (zmq4_cabi_t));
        return -1;
    }
    if (t->attach (shim_mode, shim_drain, &zmq4_msg_ops, &err) != 0) {
        complain ("zmq4._cabi refused to attach (errno %d)", err);
        return -1;
    }
    api = t;
    return 0;
}

static void *open_libpython (const char *python)
{
    const char *env = getenv ("ZMQ4_LIBPYTHON");
    char path[PATH_MAX], base[PATH_MAX];
    void *h;
    if (env && env[0]) {
        h = dlopen (env, RTLD_NOW | RTLD_GLOBAL);
        trace ("libpython from $ZMQ4_LIBPYTHON=%s: %s", env,
               h ? "loaded" : dlerror ());
        return h;
    }
#ifdef ZMQ4_LIBPYTHON_SONAME
    if (python && base_prefix_of (python, base) == 0) {
        snprintf (path, sizeof path, "%s/lib/%s", base, ZMQ4_LIBPYTHON_SONAME);
        if (is_file (path) && (h = dlopen (path, RTLD_NOW | RTLD_GLOBAL))) {
            trace ("libpython beside the interpreter: %s", path);
            return h;
        }
    }
#endif
#ifdef ZMQ4_BUILD_LIBPYTHON
    if (is_file (ZMQ4_BUILD_LIBPYTHON)
        && (h = dlopen (ZMQ4_BUILD_LIBPYTHON, RTLD_NOW | RTLD_GLOBAL))) {
        trace ("libpython of the build: %s", ZMQ4_BUILD_LIBPYTHON);
        return h;
    }
#endif
#ifdef ZMQ4_LIBPYTHON_SONAME
    if ((h = dlopen (ZMQ4_LIBPYTHON_SONAME, RTLD_NOW | RTLD_GLOBAL))) {
        trace ("libpython from the loader path: %s", ZMQ4_LIBPYTHON_SONAME);
        return h;
    }
#endif
    h = dlopen ("libpython" PYVER ".so", RTLD_NOW | RTLD_GLOBAL);
    trace ("libpython%s.so from the loader path: %s", PYVER,
           h ? "loaded" : dlerror ());
    return h;
}

/* PYTHONHOME from where libpython lies: <home>/lib/libpythonX.Y.so */
static int home_of_libpython (char *out)
{
    Dl_info info;
    char path[PATH_MAX], probe[PATH_MAX + 64];
    int depth;
    if (!dladdr ((void *) py.Py_IsInitialized, &info) || !info.dli_fname
        || !realpath (info.dli_fname, path))
        return -1;
    for (depth = 0; depth < 4; depth++) {
        dirname_inplace (path);
        snprintf (probe, sizeof probe, "%s/lib/python" PYVER "/os.py", path);
        if (is_file (probe)) {
            snprintf (out, PATH_MAX, "%s", path);
            return 0;
        }
        if (strcmp (path, "/") == 0)
            break;
    }
    return -1;
}

static int embed_python (const char *root)
{
    PyConfig config;
    PyStatus status;
    char python[PATH_MAX], home[PATH_MAX];
    const char *env = getenv ("ZMQ4_PYTHON");
    int have_python = 0;

    if (env && env[0]) {
        snprintf (python, sizeof python, "%s", env);
        have_python = is_exe (python);
        trace ("interpreter from $ZMQ4_PYTHON=%s%s", env,
               have_python ? "" : " (not executable, ignored)");
    }
    if (!have_python && root && python_of_installation (root, python) == 0) {
        have_python = 1;
        trace ("interpreter of the installation: %s", python);
    }
#ifdef ZMQ4_BUILD_PYTHON
    if (!have_python && is_exe (ZMQ4_BUILD_PYTHON)) {
        snprintf (python, sizeof python, "%s", ZMQ4_BUILD_PYTHON);
        have_python = 1;
        trace ("interpreter of the in-place build: %s", python);
    }
#endif
    if (!py.Py_IsInitialized) {
        void *h = open_libpython (have_python ? python : NULL);
        if (!h) {
            complain ("cannot load libpython" PYVER " (%s); set ZMQ4_LIBPYTHON "
                      "to its path (a statically linked Python cannot be "
                      "embedded)",
                      dlerror ());
            return -1;
        }
        if (resolve (h, 1) != 0 || !python_matches (1))
            return -1;
        if (py.Py_IsInitialized ()) {
            /* loaded RTLD_LOCAL by someone who already started it */
            shim_mode = ZMQ4_MODE_HOST;
            trace ("libpython was already running: host mode");
            return 1;
        }
    }

    py.PyConfig_InitPythonConfig (&config);
    config.install_signal_handlers = 0; /* the program's signals stay its own */
    config.configure_c_stdio = 0;       /* ... and so does its stdio */
    config.parse_argv = 0;
    if (have_python) {
        status =
          py.PyConfig_SetBytesString (&config, &config.program_name, python);
    } else if (home_of_libpython (home) == 0) {
        trace ("no interpreter found; PYTHONHOME from libpython: %s", home);
        status = py.PyConfig_SetBytesString (&config, &config.home, home);
    } else {
        trace ("no interpreter found; relying on Python's own search");
        memset (&status, 0, sizeof status);
    }
    if (py.PyStatus_Exception (status)) {
        py.PyConfig_Clear (&config);
        complain ("cannot configure Python: %s",
                  status.err_msg ? status.err_msg : "?");
        return -1;
    }
    status = py.Py_InitializeFromConfig (&config);
    py.PyConfig_Clear (&config);
    if (py.PyStatus_Exception (status)) {
        complain ("cannot start Python: %s%s%s",
                  status.func ? status.func : "",
                  status.func ? ": " : "",
                  status.err_msg ? status.err_msg : "?");
        return -1;
    }
    shim_mode = ZMQ4_MODE_EMBEDDED;
    trace ("started Python " PYVER);
    if (root)
        syspath_insert (root);
    if (import_api (NULL) != 0) {
        py.PyEval_SaveThread ();
        return -1;
    }
    /* this thread keeps the main thread state */
    tls_known = 1;
    atexit (embedded_atexit);
    py.PyEval_SaveThread ();
    return 0;
}

static char root_dir[PATH_MAX];

static void start (void)
{
    char self[PATH_MAX];
    void *p;
    int rc;

    debug = getenv ("ZMQ4_DEBUG") && getenv ("ZMQ4_DEBUG")[0]
            && strcmp (getenv ("ZMQ4_DEBUG"), "0") != 0;
    if (pthread_key_create (&pin_key, unpin_thread) != 0) {
        start_failed = 1;
        return;
    }
    /* embedded mode: Python's fork protocol; both modes: reset the count of
     * calls in flight in the child */
    pthread_atfork (fork_prepare, fork_parent, fork_child);
    if (self_path (self) == 0) {
        /* self = <root>/zmq4/lib/libzmq.so.5 */
        snprintf (root_dir, sizeof root_dir, "%s", self);
        dirname_inplace (root_dir);
        dirname_inplace (root_dir);
        dirname_inplace (root_dir);
        trace ("library %s, package root %s", self, root_dir);
    }

    p = dlsym (RTLD_DEFAULT, "Py_IsInitialized");
    if (p) {
        if (resolve (RTLD_DEFAULT, 0) != 0 || !python_matches (0)) {
            start_failed = 1;
            return;
        }
        if (py.Py_IsInitialized ()) {
            shim_mode = ZMQ4_MODE_HOST;
            trace ("joining the running interpreter (host mode)");
            return; /* the bridge is imported under the GIL, outside once */
        }
        /* libpython is linked in but not started: start it */
        if (resolve (RTLD_DEFAULT, 1) != 0) {
            start_failed = 1;
            return;
        }
    }
    rc = embed_python (root_dir[0] ? root_dir : NULL);
    if (rc < 0)
        start_failed = 1;
    else if (rc == 0)
        __atomic_store_n (&ready, 1, __ATOMIC_RELEASE);
}

/* Slow path of every call until the bridge is in place. */
static int start_slow (void)
{
    PyGILState_STATE g;
    int rc;
    pthread_once (&start_once, start);
    if (start_failed) {
        errno = ENOSYS;
        return -1;
    }
    if (__atomic_load_n (&ready, __ATOMIC_ACQUIRE))
        return 0;
    /* host mode: import the bridge under the GIL (never inside start_once,
     * where a thread holding the GIL could wait for us forever) */
    if (py_finalizing () || !py.Py_IsInitialized ()) {
        errno = ETERM;
        return -1;
    }
    if (!tls_known)
        pin_thread ();
    g = py.PyGILState_Ensure ();
    rc = api ? 0 : import_api (root_dir[0] ? root_dir : NULL);
    py.PyGILState_Release (g);
    if (rc != 0) {
        errno = ENOSYS;
        return -1;
    }
    __atomic_store_n (&ready, 1, __ATOMIC_RELEASE);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The call wrapper                                                          */
/* ------------------------------------------------------------------------ */

static inline int enter (void)
{
    if (UNLIKELY (!__atomic_load_n (&ready, __ATOMIC_ACQUIRE))
        && start_slow () != 0)
        return -1;
    __atomic_add_fetch (&inflight, 1, __ATOMIC_SEQ_CST);
    if (UNLIKELY (__atomic_load_n (&closing, __ATOMIC_SEQ_CST))) {
        __atomic_sub_fetch (&inflight, 1, __ATOMIC_SEQ_CST);
        errno = ETERM;
        return -1;
    }
    if (UNLIKELY (!tls_known))
        pin_thread ();
    return 0;
}

/* Called with the GIL, at the start of every forwarded call: the socket this
 * thread queued sends on goes first.  (It is forgotten before: a call made
 * while it drains, from a free function, must not drain it again.) */
static inline void flush_dirty (void)
{
    int err = 0;
    void *s = tls_dirty;
    if (LIKELY (s == NULL))
        return;
    tls_dirty = NULL;
    (void) api->flush (s, &err);
}

/* errno: the call's error code on failure; on success what it was before
 * the call (Python's own system calls inside would otherwise leak theirs). */
static inline void leave (int err, int saved_errno)
{
    __atomic_sub_fetch (&inflight, 1, __ATOMIC_SEQ_CST);
    errno = err ? err : saved_errno;
}

/* CALL (type, failure value, entry, args...): the body of a forwarded call. */
#define CALL(type, fail, entry, ...)                                          \
    do {                                                                      \
        PyGILState_STATE gil_;                                                \
        int err_ = 0, saved_ = errno;                                         \
        type rv_;                                                             \
        if (enter () != 0)                                                    \
            return fail;                                                      \
        gil_ = py.PyGILState_Ensure ();                                       \
        flush_dirty ();                                                       \
        rv_ = api->entry (__VA_ARGS__, &err_);                                \
        py.PyGILState_Release (gil_);                                         \
        leave (err_, saved_);                                                 \
        return rv_;                                                           \
    } while (0)

#define CALL0(type, fail, entry)                                              \
    do {                                                                      \
        PyGILState_STATE gil_;                                                \
        int err_ = 0, saved_ = errno;                                         \
        type rv_;                                                             \
        if (enter () != 0)                                                    \
            return fail;                                                      \
        gil_ = py.PyGILState_Ensure ();                                       \
        flush_dirty ();                                                       \
        rv_ = api->entry (&err_);                                             \
        py.PyGILState_Release (gil_);                                         \
        leave (err_, saved_);                                                 \
        return rv_;                                                           \
    } while (0)

/* ------------------------------------------------------------------------ */
/* Contexts                                                                  */
/* ------------------------------------------------------------------------ */

void *zmq_ctx_new (void)
{
    CALL0 (void *, NULL, ctx_new);
}

int zmq_ctx_term (void *context)
{
    CALL (int, -1, ctx_term, context);
}

int zmq_ctx_shutdown (void *ctx_)
{
    CALL (int, -1, ctx_shutdown, ctx_);
}

int zmq_ctx_set (void *context, int option, int optval)
{
    CALL (int, -1, ctx_set, context, option, optval);
}

int zmq_ctx_get (void *context, int option)
{
    CALL (int, -1, ctx_get, context, option);
}

void *zmq_init (int io_threads)
{
    CALL (void *, NULL, init, io_threads);
}

int zmq_term (void *context)
{
    CALL (int, -1, ctx_term, context);
}

int zmq_ctx_destroy (void *context)
{
    CALL (int, -1, ctx_term, context);
}

/* ------------------------------------------------------------------------ */
/* Messages                                                                  */
/* ------------------------------------------------------------------------ */

/* zmq_msg_init, _init_size, _init_data, _close, _move, _copy, _data, _size,
 * _more, _get and _set: plain C, in msg.c.  Sending and receiving one are
 * below, with zmq_send and zmq_recv. */

/* ------------------------------------------------------------------------ */
/* Sockets                                                                   */
/* ------------------------------------------------------------------------ */

void *zmq_socket (void *context, int type)
{
    CALL (void *, NULL, socket, context, type);
}

int zmq_close (void *s)
{
    CALL (int, -1, close, s);
}

int zmq_setsockopt (void *s, int option, const void *optval, size_t optvallen)
{
    CALL (int, -1, setsockopt, s, option, optval, optvallen);
}

int zmq_getsockopt (void *s, int option, void *optval, size_t *optvallen)
{
    CALL (int, -1, getsockopt, s, option, optval, optvallen);
}

int zmq_bind (void *s, const char *addr)
{
    CALL (int, -1, bind, s, addr);
}

int zmq_connect (void *s, const char *addr)
{
    CALL (int, -1, connect, s, addr);
}

int zmq_unbind (void *s, const char *addr)
{
    CALL (int, -1, unbind, s, addr);
}

int zmq_disconnect (void *s, const char *addr)
{
    CALL (int, -1, disconnect, s, addr);
}

/* The batching state of s, if this thread may use it without the GIL.  Only a
 * pointer the bridge accepted gets into tls_fast, and handle records are never
 * freed, so reading the record's tag and batching state is safe; a closed
 * socket's tag is 0xdeadbeef (the call then goes to the bridge, which says
 * ENOTSOCK). */
static inline zmq4_fast_t *fast_of (void *s)
{
    zmq4_handle_t *h = (zmq4_handle_t *) s;
    zmq4_fast_t *f;
    if (tls_fast[FAST_WAY (s)] != s || s == NULL)
        return NULL;
    if (__atomic_load_n (&h->tag, __ATOMIC_ACQUIRE) != ZMQ4_TAG_SOCKET
        || __atomic_load_n (&closing, __ATOMIC_ACQUIRE))
        return NULL;
    f = __atomic_load_n (&h->fast, __ATOMIC_ACQUIRE);
    if (f == NULL || __atomic_load_n (f->ctx_flag, __ATOMIC_ACQUIRE))
        return NULL;
    return f;
}

/* CALL_SOCK: CALL for a send or recv on socket s, remembering it on success. */
#define CALL_SOCK(s, entry, ...)                                              \
    do {                                                                      \
        PyGILState_STATE gil_;                                                \
        int err_ = 0, saved_ = errno;                                         \
        int rv_;                                                              \
        if (enter () != 0)                                                    \
            return -1;                                                        \
        gil_ = py.PyGILState_Ensure ();                                       \
        flush_dirty ();                                                       \
        rv_ = api->entry (__VA_ARGS__, &err_);                                \
        py.PyGILState_Release (gil_);                                         \
        leave (err_, saved_);                                                 \
        if (rv_ >= 0)                                                         \
            tls_fast[FAST_WAY (s)] = s;                                       \
        return rv_;                                                           \
    } while (0)

/* Note s as the socket this thread queues sends on; -1 if another one has
 * sends queued (the call then goes the direct way, which sends those first). */
static inline int mark_dirty (void *s)
{
    if (tls_dirty == NULL)
        tls_dirty = s;
    return tls_dirty == s ? 0 : -1;
}

/* A batched receive on s may go ahead: no other socket has sends queued. */
static inline int clean_for (void *s)
{
    return tls_dirty == NULL || tls_dirty == s;
}

int zmq_send (void *s, const void *buf, size_t len, int flags)
{
    zmq4_fast_t *f = fast_of (s);
    if (f != NULL && f->out != NULL && len <= INT_MAX
        && (flags & ~(ZMQ_SNDMORE | ZMQ_DONTWAIT)) == 0 && (buf != NULL || len == 0)
        && mark_dirty (s) == 0 && zmq4_fast_push (f, buf, len, flags & ZMQ_SNDMORE) == 0)
        return (int) len;
    CALL_SOCK (s, send, s, buf, len, flags);
}

int zmq_send_const (void *s, const void *buf, size_t len, int flags)
{
    CALL (int, -1, send_const, s, buf, len, flags);
}

int zmq_recv (void *s, void *buf, size_t len, int flags)
{
    zmq4_fast_t *f = fast_of (s);
    size_t size;
    if (f != NULL && f->in != NULL && (buf != NULL || len == 0) && clean_for (s)
        && zmq4_fast_pop (f, buf, len, &size) == 0)
        return size > INT_MAX ? INT_MAX : (int) size;
    CALL_SOCK (s, recv, s, buf, len, flags);
}

/* Up to this size a batched zmq_msg_send copies the frame; a bigger one goes the
 * direct way, where the payload is handed over without a copy. */
#define FAST_MSG_MAX 65536

int zmq_msg_send (zmq_msg_t *msg, void *s, int flags)
{
    zmq4_fast_t *f = fast_of (s);
    zmq4_cmsg_t *m = (zmq4_cmsg_t *) msg;
    if (f != NULL && f->out != NULL && zmq4_msg_live (msg)
        && (flags & ~(ZMQ_SNDMORE | ZMQ_DONTWAIT)) == 0) {
        size_t size = m->content != NULL ? m->size : 0;
        if (size <= FAST_MSG_MAX && mark_dirty (s) == 0
            && zmq4_fast_push (f, m->data, size, flags & ZMQ_SNDMORE) == 0) {
            zmq4_msg_reset (msg); /* sent: the message is empty, as libzmq leaves it */
            return (int) size;
        }
    }
    CALL_SOCK (s, msg_send, msg, s, flags);
}

/* zmq4_fast_pop for zmq_msg_recv: the next fetched-ahead frame into the live
 * message (its old payload released); -1 if the inbox is empty or there is no
 * memory (the frame then stays for the direct way, which says ENOMEM). A payload
 * the slot holds in its own malloc'ed buffer goes to the message as it is. */
static int fast_pop_msg (zmq4_fast_t *f, zmq_msg_t *msg, size_t *size)
{
    zmq4_frame_t *fr = zmq4_fast_next (f);
    if (fr == NULL)
        return -1;
    if (fr->size > ZMQ4_FAST_INLINE) {
        if (zmq4_msg_adopt (msg, fr->heap, fr->size, (int) fr->more) != 0)
            return -1;
        fr->heap = NULL; /* the message's now: zmq4_frame_clear frees nothing */
    } else if (zmq4_msg_set (msg, zmq4_frame_data (fr), fr->size, (int) fr->more) != 0)
        return -1;
    *size = zmq4_fast_taken (f, fr);
    return 0;
}

int zmq_msg_recv (zmq_msg_t *msg, void *s, int flags)
{
    zmq4_fast_t *f = fast_of (s);
    size_t size;
    if (f != NULL && f->in != NULL && zmq4_msg_live (msg) && clean_for (s)
        && fast_pop_msg (f, msg, &size) == 0)
        return size > INT_MAX ? INT_MAX : (int) size;
    CALL_SOCK (s, msg_recv, msg, s, flags);
}

int zmq_socket_monitor (void *s, const char *addr, int events)
{
    CALL (int, -1, socket_monitor, s, addr, events);
}

int zmq_sendmsg (void *s, zmq_msg_t *msg, int flags)
{
    return zmq_msg_send (msg, s, flags);
}

int zmq_recvmsg (void *s, zmq_msg_t *msg, int flags)
{
    return zmq_msg_recv (msg, s, flags);
}

int zmq_sendiov (void *s, struct iovec *iov, size_t count, int flags)
{
    CALL (int, -1, sendiov, s, iov, count, flags);
}

int zmq_recviov (void *s, struct iovec *iov, size_t *count, int flags)
{
    CALL (int, -1, recviov, s, iov, count, flags);
}

/* ------------------------------------------------------------------------ */
/* Polling, proxies                                                          */
/* ------------------------------------------------------------------------ */

int zmq_poll (zmq_pollitem_t *items, int nitems, long timeout)
{
    CALL (int, -1, poll, items, nitems, timeout);
}

int zmq_proxy (void *frontend, void *backend, void *capture)
{
    CALL (int, -1, proxy_steerable, frontend, backend, capture, NULL);
}

int zmq_proxy_steerable (
  void *frontend, void *backend, void *capture, void *control)
{
    CALL (int, -1, proxy_steerable, frontend, backend, capture, control);
}

int zmq_device (int type, void *frontend, void *backend)
{
    (void) type;
    CALL (int, -1, proxy_steerable, frontend, backend, NULL, NULL);
}

/* ------------------------------------------------------------------------ */
/* Z85 and keys                                                              */
/* ------------------------------------------------------------------------ */

char *zmq_z85_encode (char *dest, uint8_t *data, size_t size)
{
    CALL (char *, NULL, z85_encode, dest, data, size);
}

uint8_t *zmq_z85_decode (uint8_t *dest, char *string)
{
    CALL (uint8_t *, NULL, z85_decode, dest, string);
}

int zmq_curve_keypair (char *z85_public_key, char *z85_secret_key)
{
    CALL (int, -1, curve_keypair, z85_public_key, z85_secret_key);
}
