using System.CommandLine;
using ModelCheck.Kernel;

namespace ModelCheck.Cli;

/// <summary>`modelcheck fuse-server` (hidden): the FUSE server process the kernel harness starts.</summary>
public static class FuseServerCommand
{
    public static Command Create()
    {
        var mount = new Option<string>("--mount") { Description = "mount point", Required = true };
        var withhold = new Option<bool>("--withhold-writes") { Description = "never answer a WRITE" };
        var fail = new Option<bool>("--fail-writes") { Description = "answer every WRITE with -EIO" };
        var cmd = new Command("fuse-server", "serve one file over FUSE for the kernel harness") { mount, withhold, fail };
        cmd.Hidden = true;
        cmd.SetAction(p =>
        {
            int fd = FuseServer.Mount(p.GetValue(mount)!);
            Console.Out.WriteLine("ready");
            Console.Out.Flush();
            var writes = p.GetValue(withhold) ? FuseServer.WriteReply.Withhold
                : p.GetValue(fail) ? FuseServer.WriteReply.FailEio
                : FuseServer.WriteReply.Store;
            new FuseServer(fd, writes).Serve();
            return ExitCodes.Holds;
        });
        return cmd;
    }
}
