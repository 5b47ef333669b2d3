/** Where a CLI writes its lines; tests pass their own to call its main in-process. */
export interface Io {
    readonly out: (text: string) => void;
    readonly err: (text: string) => void;
}

export const CONSOLE: Io = { out: (text) => console.log(text), err: (text) => console.error(text) };
