#include "evk_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct evk_proc {
    pid_t pid;
    int fd;           /* read end of the output pipe, -1 once closed */
    bool exited;
    int status;
    char tail[EVK_PROC_TAIL]; /* ring of the last bytes */
    size_t total;
};

evk_proc *evk_proc_spawn(const char *cmd, char *err, size_t errcap)
{
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(err, errcap, "cannot start the client: pipe: %s", strerror(errno));
        return NULL;
    }
    evk_proc *p = calloc(1, sizeof *p);
    if (!p) {
        close(fds[0]);
        close(fds[1]);
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errcap, "cannot start the client: fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        free(p);
        return NULL;
    }
    if (pid == 0) {
        setpgid(0, 0);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, STDIN_FILENO);
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        /* Default signal dispositions for the client. */
        signal(SIGPIPE, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid); /* also here: no race with the child's own call */
    close(fds[1]);
    fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    p->pid = pid;
    p->fd = fds[0];
    return p;
}

static void keep(evk_proc *p, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) p->tail[(p->total + i) % EVK_PROC_TAIL] = b[i];
    p->total += n;
}

void evk_proc_poll(evk_proc *p)
{
    if (!p) return;
    char buf[4096];
    while (p->fd >= 0) {
        ssize_t n = read(p->fd, buf, sizeof buf);
        if (n > 0) {
            keep(p, buf, (size_t)n);
            continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            close(p->fd);
            p->fd = -1;
        }
        break;
    }
    if (!p->exited) {
        int st;
        pid_t r = waitpid(p->pid, &st, WNOHANG);
        if (r == p->pid) {
            p->exited = true;
            p->status = st;
        }
    }
}

bool evk_proc_exited(const evk_proc *p, int *status)
{
    if (p->exited && status) *status = p->status;
    return p->exited;
}

void evk_proc_terminate(evk_proc *p)
{
    if (p && p->pid > 0) kill(-p->pid, SIGTERM);
}

void evk_proc_kill(evk_proc *p)
{
    if (p && p->pid > 0) kill(-p->pid, SIGKILL);
}

size_t evk_proc_output(const evk_proc *p, char *out, size_t cap, size_t *total)
{
    size_t have = p->total < EVK_PROC_TAIL ? p->total : EVK_PROC_TAIL;
    size_t n = have < cap - 1 ? have : cap - 1;
    size_t start = p->total - n;
    for (size_t i = 0; i < n; i++) out[i] = p->tail[(start + i) % EVK_PROC_TAIL];
    out[n] = '\0';
    if (total) *total = p->total;
    return n;
}

void evk_proc_describe(const evk_proc *p, char *out, size_t cap)
{
    if (!p->exited) snprintf(out, cap, "still running");
    else if (WIFEXITED(p->status)) snprintf(out, cap, "exited with status %d", WEXITSTATUS(p->status));
    else if (WIFSIGNALED(p->status)) snprintf(out, cap, "killed by signal %d", WTERMSIG(p->status));
    else snprintf(out, cap, "ended (wait status %d)", p->status);
}

pid_t evk_proc_pid(const evk_proc *p)
{
    return p->pid;
}

void evk_proc_free(evk_proc *p)
{
    if (!p) return;
    /* The group too: helpers the client left behind go with it. */
    kill(-p->pid, SIGKILL);
    if (!p->exited) {
        int st;
        while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR) {
        }
    }
    if (p->fd >= 0) close(p->fd);
    free(p);
}
