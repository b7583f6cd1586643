// The console's entry: served by `kefu serve` at /console/.
import { render } from "preact";
import { ConsoleApp } from "./app";
import "./styles.css";

render(<ConsoleApp />, document.getElementById("app")!);
