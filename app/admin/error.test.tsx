/** @jest-environment jsdom */
import "@testing-library/jest-dom";
import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { renderConsole } from "@/test/console/render";
import AdminError from "./error";

describe("a console page that failed on the server", () => {
  it("says so in the admin's language with the reference the server log has, and retries", async () => {
    const retry = jest.fn();
    renderConsole(<AdminError error={Object.assign(new Error("An error occurred in the Server Components render."), { digest: "3141592653" })} retry={retry} />, "zh-CN");
    expect(screen.getByRole("alert")).toHaveTextContent("无法显示此页面");
    expect(screen.getByRole("alert")).toHaveTextContent("3141592653");
    expect(screen.getByRole("alert")).not.toHaveTextContent("Server Components render");
    await userEvent.setup().click(screen.getByRole("button", { name: "重试" }));
    expect(retry).toHaveBeenCalledTimes(1);
    expect(screen.getByRole("link", { name: "返回概览" })).toHaveAttribute("href", "/admin");
  });
});
